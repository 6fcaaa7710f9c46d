package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/identity/cognito"
)

// The twin function runs an operation's Direct calls in a Lambda function of the
// local gateway (testdata/twin), so that they are timed as Roster's function is.
//
// Direct in the bench's own process and Roster's function through the gateway do
// not pay the same machine costs. On the local stack a function is a process of its
// own, woken for its event and again for every DynamoDB or Cognito answer, on the
// same two CPUs as the emulators; the bench's process is already running when it
// makes the calls. The gateway floor takes out the event's round trip, not the
// wake-ups within it. The twin function pays them as Roster's does, so Roster's p50
// over the twin's is Roster's own work: the JWT check, decoding, authorization,
// validation, encoding.

// TwinCall is one event of the twin function: the operation whose Direct it runs and
// what that Direct reads of the Env and the request. Access tokens stay out: no
// Direct uses one, and the twin's event stays as small as Roster's.
type TwinCall struct {
	Op            string
	Admin, Member Account
	Vars          map[string]string
}

func twinCall(op Operation, e *Env, r Request) TwinCall {
	c := TwinCall{Op: op.Name, Admin: e.Admin, Member: e.Member, Vars: r.Vars}
	c.Admin.Token, c.Member.Token = "", ""
	return c
}

// TwinHandler is the twin function's handler. It builds its clients as Roster's
// functions do (app.Load, with Cognito), so that both call the emulators alike.
func TwinHandler(ctx context.Context) (func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), error) {
	a, err := app.Load(ctx, cognito.Service)
	if err != nil {
		return nil, err
	}
	idp, ok := a.Identity.(*cognito.Cognito)
	if !ok {
		return nil, errors.New("the twin function needs the Cognito identity provider")
	}
	direct := map[string]Operation{}
	for _, op := range operations {
		if op.Direct != nil {
			direct[op.Name] = op
		}
	}
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		var call TwinCall
		if err := json.Unmarshal([]byte(ev.Body), &call); err != nil {
			return twinAnswer(http.StatusBadRequest, err), nil
		}
		op, ok := direct[call.Op]
		if !ok {
			return twinAnswer(http.StatusNotFound, fmt.Errorf("no direct calls for %q", call.Op)), nil
		}
		e := &Env{Store: a.Store, Identity: idp, Accounts: a.Accounts, Admin: call.Admin, Member: call.Member}
		if err := op.Direct(ctx, e, Request{Vars: call.Vars}); err != nil {
			return twinAnswer(http.StatusInternalServerError, err), nil
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent}, nil
	}, nil
}

func twinAnswer(status int, err error) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: err.Error()}
}

// twinRequest is the HTTP request that runs call in the twin function.
func twinRequest(call TwinCall) Request {
	return Request{Method: "POST", Path: "/twin", Body: call, Want: http.StatusNoContent}
}
