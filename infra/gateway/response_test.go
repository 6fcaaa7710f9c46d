package gateway

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestResponse checks how function answers become HTTP responses.
func TestResponse(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	tests := []struct {
		name  string
		query string
		check func(t *testing.T, r response)
	}{
		{
			name: "structured", query: "",
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 200)
				want(t, "content-type", r.header.Get("Content-Type"), "application/json")
				want(t, "x-echo", r.header.Get("X-Echo"), "yes")
				want(t, "x-multi", slices.Equal(r.header.Values("X-Multi"), []string{"a", "b"}), true)
				if r.header.Get("apigw-requestid") == "" {
					t.Error("no apigw-requestid")
				}
			},
		},
		{
			name: "status and cookies", query: "status=201&cookie=" + url.QueryEscape("sid=abc; HttpOnly"),
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 201)
				want(t, "set-cookie", slices.Equal(r.header.Values("Set-Cookie"), []string{"sid=abc; HttpOnly", "second=2"}), true)
			},
		},
		{
			name: "base64 body", query: "shape=binary",
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 200)
				want(t, "content-type", r.header.Get("Content-Type"), "application/octet-stream")
				want(t, "body", bytes.Equal(r.body, []byte{0, 1, 2, 0xff}), true)
			},
		},
		{
			name: "simple shape", query: "shape=simple",
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 200)
				want(t, "content-type", r.header.Get("Content-Type"), "application/json")
				var rep echoReply
				r.json(t, &rep)
				if rep.PID == 0 || len(rep.Event) == 0 {
					t.Errorf("body is not the function's JSON: %s", r.body)
				}
			},
		},
		{
			name: "simple shape, a JSON string", query: "shape=raw&raw=" + url.QueryEscape(`"hello"`),
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 200)
				want(t, "body", string(r.body), `"hello"`)
			},
		},
		{
			name: "no content type", query: "shape=raw&raw=" + url.QueryEscape(`{"statusCode":204}`),
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 204)
				want(t, "content-type", r.header.Get("Content-Type"), "")
				want(t, "body", string(r.body), "")
			},
		},
		{
			name: "malformed statusCode", query: "shape=raw&raw=" + url.QueryEscape(`{"statusCode":"200"}`),
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 500)
				want(t, "body", string(r.body), `{"message":"Internal Server Error"}`)
			},
		},
		{
			name: "bad base64", query: "shape=raw&raw=" + url.QueryEscape(`{"statusCode":200,"body":"%%%","isBase64Encoded":true}`),
			check: func(t *testing.T, r response) {
				want(t, "status", r.status, 500)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, get(t, tg.URL+"/v1/users/1?"+tc.query))
		})
	}
}

func TestFunctionErrors(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)

	t.Run("handler error is a 500 and the instance stays warm", func(t *testing.T) {
		first := get(t, tg.URL+"/files/err").echo(t)
		resp := get(t, tg.URL+"/files/err?error=boom")
		want(t, "status", resp.status, http.StatusInternalServerError)
		want(t, "body", string(resp.body), `{"message":"Internal Server Error"}`)
		again := get(t, tg.URL+"/files/err").echo(t)
		want(t, "pid after a handler error", again.PID, first.PID)
	})

	t.Run("panic is a 500 and the next request is served", func(t *testing.T) {
		resp := get(t, tg.URL+"/files/panic?panic=1")
		want(t, "status", resp.status, http.StatusInternalServerError)
		get(t, tg.URL+"/files/panic").echo(t)
	})

	t.Run("crash is a 500 and the instance is replaced", func(t *testing.T) {
		first := get(t, tg.URL+"/files/crash").echo(t)
		before := tg.stats(t, "Echo").ColdStarts
		resp := get(t, tg.URL+"/files/crash?crash=1")
		want(t, "status", resp.status, http.StatusInternalServerError)
		want(t, "body", string(resp.body), `{"message":"Internal Server Error"}`)
		if processAlive(first.PID) {
			t.Errorf("crashed process %d still alive", first.PID)
		}
		next := get(t, tg.URL+"/files/crash").echo(t)
		if next.PID == first.PID {
			t.Error("served by the crashed instance")
		}
		want(t, "cold starts", tg.stats(t, "Echo").ColdStarts, before+1)
		if !tg.logs.has("Runtime exited with error: exit status 3") {
			t.Error("the crash was not logged")
		}
	})
}
