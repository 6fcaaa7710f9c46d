// Command echo is the Lambda function the gateway's tests run: it answers
// with the event it received and misbehaves on request.
//
// The requests come from the query string of an API event (?sleep=2s,
// ?crash=1, ?error=msg, ?panic=1, ?spawn=1, ?env=1, ?shape=simple|raw|binary,
// ?status=201, ?cookie=a=b, ?raw=<JSON to return>) or from the fields of a
// direct invocation's payload ({"sleep":"2s","crash":true,...}).
// ECHO_INIT=crash exits during init; ECHO_INIT=error posts /init/error.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Sleep  string `json:"sleep"`
	Crash  bool   `json:"crash"`
	Panic  bool   `json:"panic"`
	Error  string `json:"error"`
	Spawn  bool   `json:"spawn"`
	Env    bool   `json:"env"`
	Shape  string `json:"shape"`
	Status int    `json:"status"`
	Cookie string `json:"cookie"`
	Raw    string `json:"raw"`
}

// reply is what echo answers: who ran the invocation, and what it got.
type reply struct {
	PID         int             `json:"pid"`
	Child       int             `json:"child,omitempty"`
	RequestID   string          `json:"requestId"`
	FunctionARN string          `json:"functionArn"`
	DeadlineMs  int64           `json:"deadlineMs"`
	TraceID     string          `json:"traceId"`
	Env         []string        `json:"env,omitempty"`
	Event       json.RawMessage `json:"event"`
}

func main() {
	switch os.Getenv("ECHO_INIT") {
	case "crash":
		fmt.Fprintln(os.Stderr, "echo: failing init")
		os.Exit(2)
	case "error":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		body := `{"errorMessage":"missing configuration","errorType":"InitError"}`
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "InitError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handle)
}

func handle(ctx context.Context, event json.RawMessage) (any, error) {
	var probe struct {
		Version string            `json:"version"`
		Query   map[string]string `json:"queryStringParameters"`
	}
	_ = json.Unmarshal(event, &probe)
	api := probe.Version == "2.0"
	var req request
	if api {
		req = fromQuery(probe.Query)
	} else {
		_ = json.Unmarshal(event, &req)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Fprintf(os.Stderr, "echo: handling %s\n", lc.AwsRequestID)

	if d, err := time.ParseDuration(req.Sleep); err == nil {
		time.Sleep(d)
	}
	if req.Crash {
		os.Exit(3)
	}
	if req.Panic {
		panic("echo was asked to panic")
	}
	if req.Error != "" {
		return nil, errors.New(req.Error)
	}

	deadline, _ := ctx.Deadline()
	out := reply{
		PID:         os.Getpid(),
		RequestID:   lc.AwsRequestID,
		FunctionARN: lc.InvokedFunctionArn,
		DeadlineMs:  deadline.UnixMilli(),
		TraceID:     os.Getenv("_X_AMZN_TRACE_ID"),
		Event:       event,
	}
	if req.Env {
		out.Env = os.Environ()
	}
	if req.Spawn {
		child := exec.Command("sleep", "300")
		if err := child.Start(); err != nil {
			return nil, err
		}
		out.Child = child.Process.Pid
	}
	if !api {
		return out, nil
	}

	body, _ := json.Marshal(out)
	switch req.Shape {
	case "simple":
		return out, nil
	case "raw":
		return json.RawMessage(req.Raw), nil
	}
	resp := events.APIGatewayV2HTTPResponse{
		StatusCode:        200,
		Headers:           map[string]string{"Content-Type": "application/json", "X-Echo": "yes"},
		MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
		Body:              string(body),
	}
	if req.Status != 0 {
		resp.StatusCode = req.Status
	}
	if req.Cookie != "" {
		resp.Cookies = []string{req.Cookie, "second=2"}
	}
	if req.Shape == "binary" {
		resp.Headers["Content-Type"] = "application/octet-stream"
		resp.Body = base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff})
		resp.IsBase64Encoded = true
	}
	return resp, nil
}

func fromQuery(q map[string]string) request {
	status, _ := strconv.Atoi(q["status"])
	return request{
		Sleep:  q["sleep"],
		Crash:  q["crash"] != "",
		Panic:  q["panic"] != "",
		Error:  q["error"],
		Spawn:  q["spawn"] != "",
		Env:    q["env"] != "",
		Shape:  q["shape"],
		Status: status,
		Cookie: q["cookie"],
		Raw:    q["raw"],
	}
}
