package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// loginEventView is one sign-in attempt. sourceIp and userAgent are null for sign-ins
// the post-authentication trigger saw: Cognito does not pass them on.
type loginEventView struct {
	ID        string             `json:"id"`
	Time      string             `json:"time"`
	Outcome   store.LoginOutcome `json:"outcome"`
	Challenge *string            `json:"challenge"`
	SourceIP  *string            `json:"sourceIp"`
	UserAgent *string            `json:"userAgent"`
	Via       string             `json:"via"`
}

// MyLoginEvents is GET /v1/me/login-events.
func (a *API) MyLoginEvents(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	page := listPage(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	return a.loginEvents(ctx, me.ID, page)
}

// UserLoginEvents is GET /v1/users/{id}/login-events.
func (a *API) UserLoginEvents(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	id := pathIDField(f, req, "id")
	page := listPage(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	_, target, err := a.userTarget(ctx, req, id, authz.ViewLoginEvents)
	if err != nil {
		return httpapi.Response{}, err
	}
	return a.loginEvents(ctx, target.ID, page)
}

// loginEvents returns a page of a user's events kept within the retention period.
func (a *API) loginEvents(ctx context.Context, userID string, page store.Page) (httpapi.Response, error) {
	evs, next, err := a.Store.LoginEvents(ctx, userID, a.Now().Add(-a.LoginEventRetention), page)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]loginEventView, len(evs))
	for i, e := range evs {
		views[i] = loginEventView{
			ID:        e.ID,
			Time:      user.Timestamp(e.At),
			Outcome:   e.Outcome,
			Challenge: orNull(e.Challenge),
			SourceIP:  orNull(e.SourceIP),
			UserAgent: orNull(e.UserAgent),
			Via:       e.Via,
		}
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

// listPage reads the paging parameters of a list without filters.
func listPage(f validate.Fields, req events.APIGatewayV2HTTPRequest) store.Page {
	q := httpapi.Query(req, f, "limit", "cursor")
	return store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
}

// pathIDField is pathID for handlers that report it with the request's other fields.
func pathIDField(f validate.Fields, req events.APIGatewayV2HTTPRequest, name string) string {
	id := req.PathParameters[name]
	if !ids.Valid(id) {
		f.Add(name, "is not a valid id")
	}
	return id
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
