package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/infra/gateway"
	"github.com/roster-dev/roster/infra/stack"
	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
)

// Account is a user the bench signs in as.
type Account struct {
	ID, Login, Password string
	Token, Refresh      string
}

// Env is what operations need: the API, the accounts, and direct clients that reach
// the emulators through the same counting proxies as the functions.
type Env struct {
	API     string
	Gateway *gateway.Gateway
	HTTP    *http.Client
	Admin   Account
	Member  Account
	Joiner  Account // joins a new team with a code, over and over
	TeamID  string  // a team the member belongs to, when teams are on main
	MailURL string  // every email sent so far, as JSON

	Store    *store.Store
	Identity *cognito.Cognito
	Accounts *accounts.Accounts
	// seedDB reaches DynamoDB Local past the proxy: the scale tables are seeded
	// through it.
	seedDB    *dynamodb.Client
	tableName string

	poolID string

	runID string
	seq   atomic.Int64
}

func newEnv(ctx context.Context, s *stack.Stack, dynamoProxy, cognitoProxy string) (*Env, error) {
	cfg := aws.Config{Region: stack.Region, Credentials: credentials.NewStaticCredentialsProvider(stack.AccessKeyID, stack.SecretKey, "")}
	db := func(endpoint string) *dynamodb.Client {
		return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &endpoint })
	}
	idp := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = &cognitoProxy })
	e := &Env{
		API:       s.APIURL,
		Gateway:   s.Gateway(),
		HTTP:      &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		Store:     store.New(db(dynamoProxy), s.TableName),
		Identity:  cognito.New(idp, s.UserPool.ID, s.UserPool.ClientID),
		seedDB:    db(s.DynamoDBEndpoint),
		tableName: s.TableName,
		MailURL:   s.MailJSONURL,
		poolID:    s.UserPool.ID,
		runID:     strings.ToLower(rand.Text()[:6]),
	}
	e.Accounts = accounts.New(e.Store, e.Identity)

	e.Admin = Account{Login: s.Admin.LoginAccount, Password: s.Admin.Password}
	if err := e.signIn(ctx, &e.Admin); err != nil {
		return nil, fmt.Errorf("admin sign-in: %w", err)
	}
	var err error
	if e.Member, err = e.newAccount(ctx, "m"); err != nil {
		return nil, fmt.Errorf("member: %w", err)
	}
	if _, teams := e.Gateway.Stats("CreateTeamFunction"); teams {
		if err := e.setUpTeams(ctx); err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
	}
	return e, nil
}

// setUpTeams makes the bench's team, with the member and teamSize-1 others in it,
// and the joiner.
func (e *Env) setUpTeams(ctx context.Context) error {
	var created struct{ ID string }
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams", Token: e.Admin.Token, Want: http.StatusCreated,
		Body: map[string]string{"name": "Bench team " + e.runID}}, &created); err != nil {
		return err
	}
	e.TeamID = created.ID
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/members", Token: e.Admin.Token, Want: http.StatusCreated,
		Body: map[string]any{"userId": e.Member.ID, "roleIds": []string{"member"}}}, nil); err != nil {
		return err
	}
	// A full page and more of members, so that the member list is measured on a page
	// of 20 (with the member alone, it read one user).
	for range teamSize - 1 {
		id, err := e.memberID(ctx, "tm")
		if err != nil {
			return err
		}
		if err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/members", Token: e.Admin.Token,
			Want: http.StatusCreated, Body: map[string]any{"userId": id, "roleIds": []string{"member"}}}, nil); err != nil {
			return err
		}
	}
	var err error
	e.Joiner, err = e.newAccount(ctx, "j")
	return err
}

// teamSize is the bench team's members at set-up: more than a page of its list.
const teamSize = 25

// invitationCode makes a new team and a code to join it.
func (e *Env) invitationCode(ctx context.Context) (string, error) {
	var created struct{ ID string }
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams", Token: e.Admin.Token, Want: http.StatusCreated,
		Body: map[string]string{"name": "Bench join " + e.unique("jt")}}, &created); err != nil {
		return "", err
	}
	var code struct{ Code string }
	err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams/" + created.ID + "/invitation-codes", Token: e.Admin.Token,
		Want: http.StatusCreated, Body: map[string]any{"roleIds": []string{"member"}}}, &code)
	return code.Code, err
}

// memberID creates a member with an email address and answers its id.
func (e *Env) memberID(ctx context.Context, prefix string) (string, error) {
	login := e.unique(prefix)
	var created struct{ User struct{ ID string } }
	err := e.call(ctx, Request{Method: "POST", Path: "/v1/users", Token: e.Admin.Token, Want: http.StatusCreated, Body: map[string]any{
		"username": "Bench_" + login, "loginAccount": login, "accountType": "member", "email": login + "@bench.example",
		"password": map[string]bool{"generate": true},
	}}, &created)
	return created.User.ID, err
}

// newAccount creates a member with an email address and signs it in for the first
// time, choosing its own password.
func (e *Env) newAccount(ctx context.Context, prefix string) (Account, error) {
	login, temporary, err := e.createMember(ctx, prefix, e.unique(prefix)+"@bench.example")
	if err != nil {
		return Account{}, err
	}
	a := Account{Login: login, Password: "a bench member passphrase"}
	var started struct{ Session string }
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/auth/login", Want: http.StatusOK,
		Body: map[string]string{"loginAccount": login, "password": temporary}}, &started); err != nil {
		return a, err
	}
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/auth/challenge", Want: http.StatusOK, Body: map[string]string{
		"loginAccount": login, "session": started.Session, "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": a.Password,
	}}, nil); err != nil {
		return a, err
	}
	return a, e.signIn(ctx, &a)
}

// signIn fills a's tokens and id.
func (e *Env) signIn(ctx context.Context, a *Account) error {
	var tokens struct{ AccessToken, RefreshToken string }
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/auth/login", Want: http.StatusOK,
		Body: map[string]string{"loginAccount": a.Login, "password": a.Password}}, &tokens); err != nil {
		return err
	}
	a.Token, a.Refresh = tokens.AccessToken, tokens.RefreshToken
	var me struct{ User struct{ ID string } }
	if err := e.call(ctx, Request{Method: "GET", Path: "/v1/me", Token: a.Token, Want: http.StatusOK}, &me); err != nil {
		return err
	}
	a.ID = me.User.ID
	return nil
}

// createMember creates a member through the API, with an email address unless it is
// ""; it answers its login and temporary password.
func (e *Env) createMember(ctx context.Context, prefix, email string) (login, temporary string, err error) {
	login = e.unique(prefix)
	body := map[string]any{
		"username": "Bench_" + login, "loginAccount": login, "accountType": "member", "password": map[string]bool{"generate": true},
	}
	if email != "" {
		body["email"] = email
	}
	var created struct{ TemporaryPassword string }
	err = e.call(ctx, Request{Method: "POST", Path: "/v1/users", Token: e.Admin.Token, Want: http.StatusCreated, Body: body}, &created)
	return login, created.TemporaryPassword, err
}

// code sends r, which makes Roster email a code to addr, and answers the code.
func (e *Env) code(ctx context.Context, r Request, addr string) (string, error) {
	before, err := e.mailsTo(ctx, addr)
	if err != nil {
		return "", err
	}
	if err := e.call(ctx, r, nil); err != nil {
		return "", err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mails, err := e.mailsTo(ctx, addr)
		if err != nil {
			return "", err
		}
		if len(mails) > len(before) {
			if code := sixDigits.FindString(mails[len(mails)-1]); code != "" {
				return code, nil
			}
			return "", fmt.Errorf("the email to %s carries no code", addr)
		}
	}
	return "", fmt.Errorf("no email to %s", addr)
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// mailsTo returns the text of every email to addr so far, oldest first.
func (e *Env) mailsTo(ctx context.Context, addr string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.MailURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var all []struct {
		To   []string
		Text string
	}
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range all {
		if slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, addr) }) {
			out = append(out, m.Text)
		}
	}
	return out, nil
}

// lastSourceIP numbers the loopback addresses requests with FreshIP come from.
var lastSourceIP atomic.Uint32

// freshClient sends from a loopback address no other request used, as API Gateway
// would see a new client: per-address rate limits then count only its request.
// Linux routes all of 127.0.0.0/8 to the loopback interface.
func freshClient() *http.Client {
	n := lastSourceIP.Add(1)
	ip := net.IPv4(127, 50+byte(n>>16), byte(n>>8), byte(n))
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
}

// call sends r and decodes the answer into out (when not nil); a status other than
// r.Want is an error that quotes the body.
func (e *Env) call(ctx context.Context, r Request, out any) error {
	if r.Invoke != nil {
		body, err := e.Gateway.Invoke(ctx, r.Function, r.Invoke)
		var fe *gateway.FunctionError
		if r.AnyAnswer && errors.As(err, &fe) {
			return nil
		}
		if err != nil {
			return err
		}
		if out != nil {
			return json.Unmarshal(body, out)
		}
		return nil
	}
	var reader io.Reader
	if r.Body != nil {
		data, err := json.Marshal(r.Body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, e.API+r.Path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	client := e.HTTP
	if r.FreshIP {
		client = freshClient()
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != r.Want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", r.Method, r.Path, resp.StatusCode, r.Want, body)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// queueMail writes an outbox item of a verification code to addr, as a change writes it
// (internal/store's outbox record), and answers the mailer's invocation for it: a
// KEYS_ONLY stream event of its key.
func (e *Env) queueMail(ctx context.Context, addr string) (Request, error) {
	now := time.Now().UTC()
	pk := "OUTBOX#" + ids.New()
	item, err := attributevalue.MarshalMap(map[string]any{
		"pk": pk, "sk": "OUTBOX", "kind": string(mail.KindVerificationCode), "locale": "en", "to": addr,
		"secret": "428913", "queuedAt": now.Format("2006-01-02T15:04:05.000Z"), "expiresAt": now.Add(24 * time.Hour).Unix(),
	})
	if err != nil {
		return Request{}, err
	}
	if _, err := e.seedDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &e.tableName, Item: item}); err != nil {
		return Request{}, err
	}
	event, err := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		EventID: ids.New(), EventName: "INSERT", EventVersion: "1.1", EventSource: "aws:dynamodb", AWSRegion: stack.Region,
		Change: events.DynamoDBStreamRecord{
			Keys:           map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute("OUTBOX")},
			SequenceNumber: fmt.Sprint(now.UnixNano()), SizeBytes: 64, StreamViewType: "KEYS_ONLY",
		},
	}}})
	return Request{Invoke: event}, err
}
