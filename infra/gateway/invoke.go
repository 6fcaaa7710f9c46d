package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

var (
	// ErrClosed is returned for invocations after (or cut short by) Close.
	ErrClosed = errors.New("gateway: closed")
	// ErrFunctionNotFound is returned by Invoke for a name not in Config.
	ErrFunctionNotFound = errors.New("gateway: function not found")
	// ErrInvalidPayload is returned by Invoke for a payload Lambda refuses:
	// not JSON, or above the 6 MB synchronous quota.
	ErrInvalidPayload = errors.New("gateway: invalid payload")
)

// FunctionError is an invocation that failed: the handler returned an error,
// or the Lambda service gave up on it (crash, timeout, init failure).
type FunctionError struct {
	Function string
	Type     string // errorType, e.g. "errorString", "Runtime.ExitError", "Sandbox.Timedout"
	Message  string // errorMessage
	Payload  []byte // the error document, as Lambda's Invoke API returns it
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function %s: %s: %s", e.Function, e.Type, e.Message)
}

func newFunctionError(function, errorType, message string) *FunctionError {
	payload, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errorType})
	return &FunctionError{Function: function, Type: errorType, Message: message, Payload: payload}
}

// parseFunctionError reads an error document a runtime posted. A body that
// is not the usual JSON is kept as the message, like Lambda does.
func parseFunctionError(function string, body []byte, headerType string) *FunctionError {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) != nil {
		if headerType == "" {
			headerType = "Runtime.Unknown"
		}
		return newFunctionError(function, headerType, string(body))
	}
	if doc.ErrorType == "" {
		doc.ErrorType = headerType
	}
	return &FunctionError{Function: function, Type: doc.ErrorType, Message: doc.ErrorMessage, Payload: body}
}

// Invoke runs a function with a raw JSON payload, like Lambda's Invoke API
// (RequestResponse). It returns the function's response payload; if the
// handler returned an error, or the invocation failed, the error is a
// *FunctionError holding the error payload.
//
// If ctx ends first, Invoke returns ctx.Err() while the invocation still
// runs to its end, as it would on Lambda.
func (g *Gateway) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	out, _, err := g.InvokeWithID(ctx, function, payload)
	return out, err
}

// InvokeWithID is Invoke that also returns the invocation's request id, which
// Lambda's event source mappings write into their failure records; "" when
// no invocation ran.
func (g *Gateway) InvokeWithID(ctx context.Context, function string, payload []byte) ([]byte, string, error) {
	p, ok := g.pools[function]
	if !ok {
		return nil, "", fmt.Errorf("%w: %s", ErrFunctionNotFound, function)
	}
	if len(payload) == 0 {
		payload = []byte("{}") // what Lambda hands the runtime for an empty Invoke
	}
	if len(payload) > maxInvokeBody || !json.Valid(payload) {
		return nil, "", fmt.Errorf("%w: %d bytes, must be JSON under 6 MB", ErrInvalidPayload, len(payload))
	}
	select {
	case o := <-p.invoke(payload, newTraceID()):
		return o.payload, o.requestID, o.err
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
}

// invokePathPrefix is Lambda's Invoke REST path, served beside the HTTP API
// so that scripts can call any function: POST
// /2015-03-31/functions/{name}/invocations.
const invokePathPrefix = "/2015-03-31/functions/"

func isInvokePath(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, invokePathPrefix) && strings.HasSuffix(r.URL.Path, "/invocations")
}

// serveInvoke answers Lambda's Invoke REST API. A function error is a 200
// with X-Amz-Function-Error, as Lambda answers it.
func (g *Gateway) serveInvoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeLambdaError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "Invoke needs POST")
		return
	}
	escaped := strings.TrimSuffix(strings.TrimPrefix(r.URL.EscapedPath(), invokePathPrefix), "/invocations")
	name, err := url.PathUnescape(escaped)
	if err != nil {
		name = escaped
	}
	name = functionName(name)
	p, ok := g.pools[name]
	if !ok {
		writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("Function not found: arn:aws:lambda:%s:%s:function:%s", g.cfg.Region, g.cfg.AccountID, name))
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxInvokeBody+1))
	if err != nil {
		return
	}
	if len(payload) > maxInvokeBody {
		writeLambdaError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}

	switch r.Header.Get("X-Amz-Invocation-Type") {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		// Fire and forget: the outcome channel is buffered and dropped.
		p.invoke(payload, newTraceID())
		w.WriteHeader(http.StatusAccepted)
		return
	}

	var o outcome
	select {
	case o = <-p.invoke(payload, newTraceID()):
	case <-r.Context().Done():
		return
	}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	w.Header().Set("Content-Type", "application/json")
	var fe *FunctionError
	switch {
	case errors.As(o.err, &fe):
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(fe.Payload)
	case o.err != nil:
		g.cfg.Logger.Error("invoke failed", "function", name, "error", o.err)
		writeLambdaError(w, http.StatusServiceUnavailable, "ServiceException", o.err.Error())
	default:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(o.payload)
	}
}

// functionName accepts what Lambda accepts as FunctionName: a name, a
// partial "name:qualifier", or a full ARN.
func functionName(s string) string {
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		if _, after, found := strings.Cut(rest, ":function:"); found {
			s = after
		}
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

func writeLambdaError(w http.ResponseWriter, status int, errorType, message string) {
	fault := "User"
	if status >= 500 {
		fault = "Service"
	}
	body, _ := json.Marshal(map[string]string{"Type": fault, "message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", errorType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
