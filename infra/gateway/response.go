package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// errMalformedResponse is a function answer API Gateway cannot turn into an
// HTTP response; the client sees a 500.
var errMalformedResponse = errors.New("malformed Lambda proxy response")

// hopByHop headers describe one connection, not the response: the gateway
// sets its own, as API Gateway does.
var hopByHop = map[string]bool{
	"connection": true, "content-length": true, "keep-alive": true, "proxy-connection": true,
	"te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
}

// writeFunctionResponse answers with a function's payload format 2.0
// response and returns the status written. On errMalformedResponse nothing
// has been written.
func writeFunctionResponse(w http.ResponseWriter, payload []byte) (int, error) {
	payload = bytes.TrimSpace(payload)
	if !json.Valid(payload) {
		return 0, fmt.Errorf("%w: not JSON", errMalformedResponse)
	}
	if !hasStatusCode(payload) {
		// Payload 2.0's "simple" shape: any JSON without statusCode is the
		// body of a 200 application/json response.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(payload)
		return http.StatusOK, nil
	}

	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return 0, fmt.Errorf("%w: %v", errMalformedResponse, err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return 0, fmt.Errorf("%w: statusCode %d", errMalformedResponse, resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return 0, fmt.Errorf("%w: body is not base64: %v", errMalformedResponse, err)
		}
		body = decoded
	}

	h := w.Header()
	for name, value := range resp.Headers {
		if !hopByHop[strings.ToLower(name)] {
			h.Set(name, value)
		}
	}
	for name, values := range resp.MultiValueHeaders {
		if !hopByHop[strings.ToLower(name)] {
			for _, v := range values {
				h.Add(name, v)
			}
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		// Send what the function chose, not a type net/http would sniff.
		h["Content-Type"] = nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return resp.StatusCode, nil
}

func hasStatusCode(payload []byte) bool {
	if len(payload) == 0 || payload[0] != '{' {
		return false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) != nil {
		return false
	}
	_, ok := fields["statusCode"]
	return ok
}

// writeMessage writes API Gateway's own answers: {"message":"Not Found"}.
func writeMessage(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
