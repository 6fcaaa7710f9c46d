package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/infra/gateway"
	"github.com/roster-dev/roster/infra/stack"
	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/identity"
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

	Store    *store.Store
	Identity *identity.Cognito
	Accounts *accounts.Accounts
	// Seed writes straight to DynamoDB Local, past the proxy.
	Seed *store.Store

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
		API:      s.APIURL,
		Gateway:  s.Gateway(),
		HTTP:     &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		Store:    store.New(db(dynamoProxy), s.TableName),
		Identity: identity.New(idp, s.UserPool.ID, s.UserPool.ClientID),
		Seed:     store.New(db(s.DynamoDBEndpoint), s.TableName),
		runID:    strings.ToLower(rand.Text()[:6]),
	}
	e.Accounts = accounts.New(e.Store, e.Identity)

	e.Admin = Account{Login: s.Admin.LoginAccount, Password: s.Admin.Password}
	if err := e.signIn(ctx, &e.Admin); err != nil {
		return nil, fmt.Errorf("admin sign-in: %w", err)
	}
	login, temporary, err := e.createMember(ctx, "m")
	if err != nil {
		return nil, err
	}
	e.Member = Account{Login: login, Password: "a bench member passphrase"}
	var started struct{ Session string }
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/auth/login", Want: http.StatusOK,
		Body: map[string]string{"loginAccount": login, "password": temporary}}, &started); err != nil {
		return nil, err
	}
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/auth/challenge", Want: http.StatusOK, Body: map[string]string{
		"loginAccount": login, "session": started.Session, "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": e.Member.Password,
	}}, nil); err != nil {
		return nil, err
	}
	if err := e.signIn(ctx, &e.Member); err != nil {
		return nil, fmt.Errorf("member sign-in: %w", err)
	}
	return e, nil
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

// createMember creates a member through the API; it answers its login and temporary password.
func (e *Env) createMember(ctx context.Context, prefix string) (login, temporary string, err error) {
	login = e.unique(prefix)
	var created struct{ TemporaryPassword string }
	err = e.call(ctx, Request{Method: "POST", Path: "/v1/users", Token: e.Admin.Token, Want: http.StatusCreated, Body: map[string]any{
		"username": "Bench_" + login, "loginAccount": login, "accountType": "member", "password": map[string]bool{"generate": true},
	}}, &created)
	return login, created.TemporaryPassword, err
}

// call sends r and decodes the answer into out (when not nil); a status other than
// r.Want is an error that quotes the body.
func (e *Env) call(ctx context.Context, r Request, out any) error {
	if r.Invoke != nil {
		body, err := e.Gateway.Invoke(ctx, r.Function, r.Invoke)
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
	resp, err := e.HTTP.Do(req)
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
