package api

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

type passwordChoice struct {
	Generate bool   `json:"generate"`
	Value    string `json:"value"`
}

type createUserRequest struct {
	Username     string           `json:"username"`
	LoginAccount string           `json:"loginAccount"`
	AccountType  user.AccountType `json:"accountType"`
	Email        string           `json:"email"`
	Mobile       string           `json:"mobile"`
	Password     *passwordChoice  `json:"password"`
	Notify       bool             `json:"notify"`
	Locale       *string          `json:"locale"`
}

type createdUser struct {
	User              user.View `json:"user"`
	TemporaryPassword string    `json:"temporaryPassword"`
	Notified          bool      `json:"notified"`
}

// CreateUser is POST /v1/users: an admin creates a platform admin or a member with a
// temporary password, generated or typed, returned once and emailed on request.
func (a *Directory) CreateUser(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in createUserRequest
	f := httpapi.Decode(req, &in)
	u := user.User{
		ID:          ids.New(),
		Username:    validate.Username(f, "username", in.Username),
		AccountType: in.AccountType,
		Status:      user.Active,
		CreatedAt:   a.Now(),
	}
	u.LoginAccount = validate.LoginAccount(f, "loginAccount", in.LoginAccount)
	if in.Email != "" {
		u.Email = validate.Email(f, "email", in.Email)
	}
	u.Mobile = validate.Mobile(f, "mobile", in.Mobile)
	u.Locale = chosenLocale(f, "locale", in.Locale, req)
	switch u.AccountType {
	case user.PlatformAdmin, user.Member:
	case "":
		f.Add("accountType", "is required")
	default:
		f.Add("accountType", "must be platform_admin or member")
	}
	password := temporaryPassword(f, in.Password, u.LoginAccount)
	if in.Notify && u.Email == "" {
		f.Add("notify", "needs an email address to send the password to")
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.Check(me, authz.CreateUser, u); err != nil {
		return httpapi.Response{}, err
	}
	u.CreatedBy = me.ID
	var mailTries store.Tries
	if in.Notify {
		if mailTries, err = a.takeMailTries(ctx, adminSender(me.ID), u.Email); err != nil {
			return httpapi.Response{}, err
		}
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditUserCreate, TargetType: TargetUser, TargetID: u.ID, Changes: map[string]store.Change{
		"username": change(nil, u.Username), "loginAccount": change(nil, u.LoginAccount), "accountType": change(nil, string(u.AccountType)),
		"email": change(nil, u.Email), "mobile": change(nil, u.Mobile), "notify": change(nil, in.Notify),
	}})
	if in.Notify {
		fx.Mail = append(fx.Mail, a.temporaryPasswordLetter(req, u, password))
	}
	if err := a.Accounts.Create(ctx, accounts.NewAccount{User: u, Password: password, Effects: fx}); err != nil {
		a.giveBack(ctx, mailTries...)
		return httpapi.Response{}, err
	}
	// notified: the email is queued with the account.
	return httpapi.JSON(http.StatusCreated, createdUser{User: u.View(), TemporaryPassword: password, Notified: in.Notify}), nil
}

// temporaryPassword reads the password choice: exactly one of generate or value.
func temporaryPassword(f validate.Fields, choice *passwordChoice, loginAccount string) string {
	switch {
	case choice == nil:
		f.Add("password", "is required: {\"generate\": true} or {\"value\": \"...\"}")
	case choice.Generate && choice.Value != "":
		f.Add("password", "must be either generated or given, not both")
	case choice.Generate:
		return accounts.GeneratePassword()
	case choice.Value == "":
		f.Add("password", "is required: {\"generate\": true} or {\"value\": \"...\"}")
	default:
		validate.Password(f, "password.value", choice.Value, loginAccount)
		return choice.Value
	}
	return ""
}

// temporaryPasswordLetter is the email of an account's temporary password, in the
// account's language.
func (a *API) temporaryPasswordLetter(req events.APIGatewayV2HTTPRequest, u user.User, password string) mail.Letter {
	return mail.TemporaryPasswordLetter(u.Locale, u.Email, u.Username, u.LoginAccount, password, a.consoleBase(req))
}

// ListUsers is GET /v1/users.
func (a *API) ListUsers(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor", "accountType", "status", "q", "teamId")
	filter := store.UserFilter{
		AccountType: user.AccountType(q["accountType"]),
		Status:      user.Status(q["status"]),
		Query:       strings.TrimSpace(q["q"]),
	}
	if filter.AccountType != "" && !filter.AccountType.Valid() {
		f.Add("accountType", "must be super_admin, platform_admin or member")
	}
	if filter.Status != "" && !filter.Status.Valid() {
		f.Add("status", "must be active or frozen")
	}
	if _, present := q["q"]; present && (filter.Query == "" || utf8.RuneCountInString(filter.Query) > 254) {
		f.Add("q", "must be 1 to 254 characters")
	}
	if teamID, present := q["teamId"]; present && !ids.Valid(teamID) {
		f.Add("teamId", "is not a valid id")
	}
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.Check(me, authz.ListUsers, user.User{}); err != nil {
		return httpapi.Response{}, err
	}
	if teamID, present := q["teamId"]; present {
		return a.listTeamUsers(ctx, teamID, filter, page)
	}
	users, next, err := a.Store.ListUsers(ctx, filter, page)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]user.View, len(users))
	for i, u := range users {
		views[i] = u.ListView()
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

// membershipView is one team the user belongs to.
type membershipView struct {
	TeamID   string   `json:"teamId"`
	TeamName string   `json:"teamName"`
	Roles    []string `json:"roles"`
	JoinedAt string   `json:"joinedAt"`
}

type userDetail struct {
	User        user.View        `json:"user"`
	Memberships []membershipView `json:"memberships"`
}

// GetUser is GET /v1/users/{id}.
func (a *API) GetUser(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	id, err := pathID(req, "id")
	if err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.Check(me, authz.ViewUser, user.User{ID: id}); err != nil {
		return httpapi.Response{}, err
	}
	target, err := a.Store.User(ctx, id)
	if err != nil {
		return httpapi.Response{}, err
	}
	memberships, err := a.userMemberships(ctx, id)
	if err != nil {
		return httpapi.Response{}, err
	}
	// The ETag is the user's version, for If-Match on an edit (see useredit.go).
	return withETag(httpapi.JSON(http.StatusOK, userDetail{User: target.View(), Memberships: memberships}), target), nil
}
