package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/app"
)

// The twin function runs an operation's Direct calls in a Lambda function of the local
// gateway (testdata/twin), so that they are timed as Roster's function is: a function
// process is woken for its event and for every emulator answer, which the bench's own
// process and the gateway floor do not pay. Roster over its twin is Roster's own work.

// TwinCall is one event of the twin function: the read whose Direct it runs and what
// a read's Direct reads of the Env and the request: the accounts' ids. Tokens and
// passwords stay out, so that the twin's event is no larger than Roster's.
type TwinCall struct {
	Op                string
	AdminID, MemberID string
	Vars              map[string]string
}

func twinCall(op Operation, e *Env, r Request) TwinCall {
	return TwinCall{Op: op.Name, AdminID: e.Admin.ID, MemberID: e.Member.ID, Vars: r.Vars}
}

// TwinHandler is the twin function's handler. It builds its client as Roster's
// functions do (app.Load), so that both call DynamoDB alike. Reads call no Cognito
// (the bench checks that), so the twin has no Cognito client.
func TwinHandler(ctx context.Context) (func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), error) {
	a, err := app.FromEnv()
	if err != nil {
		return nil, err
	}
	direct := map[string]Operation{}
	for _, op := range operations {
		if op.Direct != nil && op.Read {
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
			return twinAnswer(http.StatusNotFound, fmt.Errorf("no read with direct calls named %q", call.Op)), nil
		}
		e := &Env{Store: a.Store, Admin: Account{ID: call.AdminID}, Member: Account{ID: call.MemberID}}
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
