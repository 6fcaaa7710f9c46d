package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestInvoke(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)

	t.Run("response", func(t *testing.T) {
		t.Parallel()
		out, err := tg.Invoke(t.Context(), "Worker", []byte(`{"hello":"world"}`))
		if err != nil {
			t.Fatal(err)
		}
		var rep echoReply
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatal(err)
		}
		want(t, "event", string(rep.Event), `{"hello":"world"}`)
	})
	t.Run("request id", func(t *testing.T) {
		t.Parallel()
		out, id, err := tg.InvokeWithID(t.Context(), "Worker", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var rep echoReply
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatal(err)
		}
		want(t, "the runtime's request id", rep.RequestID, id)
		if _, id, err := tg.InvokeWithID(t.Context(), "Worker", []byte(`{"error":"boom"}`)); err == nil || id == "" {
			t.Errorf("a failed invocation: id %q, err %v; want its id and the error", id, err)
		}
	})
	t.Run("function error", func(t *testing.T) {
		t.Parallel()
		_, err := tg.Invoke(t.Context(), "Worker", []byte(`{"error":"boom"}`))
		var fe *FunctionError
		if !errors.As(err, &fe) {
			t.Fatalf("err = %v, want a FunctionError", err)
		}
		want(t, "function", fe.Function, "Worker")
		want(t, "errorType", fe.Type, "errorString")
		want(t, "errorMessage", fe.Message, "boom")
		var doc map[string]any
		if err := json.Unmarshal(fe.Payload, &doc); err != nil || doc["errorMessage"] != "boom" {
			t.Errorf("payload %s", fe.Payload)
		}
	})
	t.Run("unknown function", func(t *testing.T) {
		t.Parallel()
		if _, err := tg.Invoke(t.Context(), "Nope", nil); !errors.Is(err, ErrFunctionNotFound) {
			t.Errorf("err = %v, want ErrFunctionNotFound", err)
		}
	})
	t.Run("payload not JSON", func(t *testing.T) {
		t.Parallel()
		if _, err := tg.Invoke(t.Context(), "Worker", []byte("{")); !errors.Is(err, ErrInvalidPayload) {
			t.Errorf("err = %v, want ErrInvalidPayload", err)
		}
	})
	t.Run("a function with routes too", func(t *testing.T) {
		t.Parallel()
		if _, err := tg.Invoke(t.Context(), "Echo", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestInvokeREST covers Lambda's Invoke REST path on the gateway's handler.
func TestInvokeREST(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	invokeURL := func(name string) string {
		return tg.URL + "/2015-03-31/functions/" + url.PathEscape(name) + "/invocations"
	}
	tests := []struct {
		name       string
		function   string
		body       string
		header     http.Header
		wantStatus int
		check      func(t *testing.T, r response)
	}{
		{
			name: "response", function: "Worker", body: `{"a":1}`, wantStatus: 200,
			check: func(t *testing.T, r response) {
				want(t, "function error header", r.header.Get("X-Amz-Function-Error"), "")
				want(t, "executed version", r.header.Get("X-Amz-Executed-Version"), "$LATEST")
				var rep echoReply
				r.json(t, &rep)
				want(t, "event", string(rep.Event), `{"a":1}`)
			},
		},
		{
			name: "function error", function: "Worker", body: `{"error":"boom"}`, wantStatus: 200,
			check: func(t *testing.T, r response) {
				want(t, "function error header", r.header.Get("X-Amz-Function-Error"), "Unhandled")
				var doc struct{ ErrorMessage, ErrorType string }
				r.json(t, &doc)
				want(t, "errorMessage", doc.ErrorMessage, "boom")
				want(t, "errorType", doc.ErrorType, "errorString")
			},
		},
		{
			name: "crash", function: "Worker", body: `{"crash":true}`, wantStatus: 200,
			check: func(t *testing.T, r response) {
				want(t, "function error header", r.header.Get("X-Amz-Function-Error"), "Unhandled")
				var doc struct{ ErrorType string }
				r.json(t, &doc)
				want(t, "errorType", doc.ErrorType, "Runtime.ExitError")
			},
		},
		{
			name: "by ARN", function: "arn:aws:lambda:us-east-1:123456789012:function:Worker", body: `{}`, wantStatus: 200,
		},
		{
			name: "unknown function", function: "Nope", body: `{}`, wantStatus: 404,
			check: func(t *testing.T, r response) {
				want(t, "error type", r.header.Get("X-Amzn-Errortype"), "ResourceNotFoundException")
			},
		},
		{name: "not JSON", function: "Worker", body: `{`, wantStatus: 400},
		{name: "event invocation", function: "Worker", body: `{}`, header: http.Header{"X-Amz-Invocation-Type": {"Event"}}, wantStatus: 202},
		{name: "dry run", function: "Worker", body: `{}`, header: http.Header{"X-Amz-Invocation-Type": {"DryRun"}}, wantStatus: 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := do(t, http.MethodPost, invokeURL(tc.function), []byte(tc.body), tc.header)
			if resp.status != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", resp.status, tc.wantStatus, resp.body)
			}
			if tc.check != nil {
				tc.check(t, resp)
			}
		})
	}
}

// TestInvokeContext: a caller that stops waiting does not lose the instance.
func TestInvokeContext(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := tg.Invoke(ctx, "Worker", []byte(`{"sleep":"400ms"}`)); !errors.Is(err, ctx.Err()) || err == nil {
		t.Fatalf("err = %v, want the context's error", err)
	}
	if !eventually(3*time.Second, func() bool { return tg.stats(t, "Worker").Idle == 1 }) {
		t.Fatalf("the instance did not go back to the pool: %+v", tg.stats(t, "Worker"))
	}
	if _, err := tg.Invoke(t.Context(), "Worker", nil); err != nil {
		t.Fatal(err)
	}
	want(t, "cold starts", tg.stats(t, "Worker").ColdStarts, 1)
}
