package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
)

// Response is what an operation answers; Handle turns it into the API Gateway shape.
type Response struct {
	Status  int
	Body    any               // marshalled as JSON; nil means no body
	Headers map[string]string // besides Content-Type and Cache-Control (an ETag, say)
	// Cookies are Set-Cookie values (SetCookie): payload 2.0 has a field for them, as
	// Headers, a map, could hold only one.
	Cookies []string
}

func JSON(status int, body any) Response { return Response{Status: status, Body: body} }

func NoContent() Response { return Response{Status: http.StatusNoContent} }

// Operation is the shape of every HTTP operation in Roster.
type Operation func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (Response, error)

// Handle adapts an operation to the Lambda handler signature. It always answers a
// response and never returns an error to the runtime: API Gateway would turn that
// into an opaque 500 without Roster's error body.
func Handle(op Operation) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(ctx, "panic", "route", req.RouteKey, "panic", p)
				resp = errorResponse(ctx, req, apperr.New(apperr.Internal, apperr.CodeInternal, "panic"))
			}
		}()
		out, err := op(ctx, req)
		if err != nil {
			return errorResponse(ctx, req, err), nil
		}
		resp = encode(out.Status, out.Body, out.Headers)
		resp.Cookies = out.Cookies
		return resp, nil
	}
}

var statusOf = map[apperr.Kind]int{
	apperr.Internal:        http.StatusInternalServerError,
	apperr.Invalid:         http.StatusBadRequest,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Gone:            http.StatusGone,
	apperr.RateLimited:     http.StatusTooManyRequests,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      apperr.Code       `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"requestId"`
}

// errorResponse is the one place where an error becomes a status and a body, and
// the one place it is logged. Unexpected errors say nothing about internals.
func errorResponse(ctx context.Context, req events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	e := apperr.As(err)
	if e == nil {
		e = apperr.Wrap(err, "unclassified")
	}
	status := statusOf[e.Kind]
	detail := errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, RequestID: req.RequestContext.RequestID}
	if e.Kind == apperr.Internal {
		slog.ErrorContext(ctx, "request failed", "route", req.RouteKey, "requestId", detail.RequestID, "error", err.Error())
		detail = errorDetail{Code: apperr.CodeInternal, Message: "Something went wrong on our side.", RequestID: detail.RequestID}
	} else {
		slog.InfoContext(ctx, "request refused", "route", req.RouteKey, "requestId", detail.RequestID, "status", status, "code", string(e.Code))
	}
	var headers map[string]string
	if e.Kind == apperr.RateLimited {
		seconds := int(e.RetryAfter.Seconds() + 0.999)
		headers = map[string]string{"Retry-After": strconv.Itoa(max(seconds, 1))}
	}
	return encode(status, errorBody{Error: detail}, headers)
}

func encode(status int, body any, headers map[string]string) events.APIGatewayV2HTTPResponse {
	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Cache-Control": "no-store"}}
	for k, v := range headers {
		resp.Headers[k] = v
	}
	if body == nil {
		return resp
	}
	data, err := json.Marshal(body)
	if err != nil {
		// Only a programming error gets here; answer a bare 500.
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusInternalServerError}
	}
	resp.Headers["Content-Type"] = "application/json"
	resp.Body = string(data)
	return resp
}
