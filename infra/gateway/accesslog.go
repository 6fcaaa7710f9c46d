package gateway

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// accessLog writes the HTTP API stage's access log: AccessLogSettings.Format of template.yaml
// with its $context variables replaced, one line per request, as API Gateway writes it to the
// stage's log group. Only the variables below are emulated; New refuses a format with others,
// so a field added to the template is added here too rather than logged wrong.
type accessLog struct {
	format string
	mu     sync.Mutex
	out    io.Writer
}

// accessEntry is what one request contributes to the access log.
type accessEntry struct {
	requestID          string
	received           time.Time
	method, protocol   string
	routeKey           string // "" when no route matched
	status             int
	responseLatency    time.Duration
	integrationLatency time.Duration
	integrated         bool // the function was invoked (else integrationLatency is "-")
	sourceIP           string
	userAgent          string
}

var contextVariable = regexp.MustCompile(`\$context\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*`)

func newAccessLog(format string, out io.Writer) (*accessLog, error) {
	if format == "" || out == nil {
		return nil, nil
	}
	for _, v := range contextVariable.FindAllString(format, -1) {
		if _, ok := (accessEntry{}).value(strings.TrimPrefix(v, "$context.")); !ok {
			return nil, fmt.Errorf("access log format: %s is not emulated by the local gateway", v)
		}
	}
	return &accessLog{format: format, out: out}, nil
}

// value is a $context variable's value; "-" stands for none, as in API Gateway's logs.
func (e accessEntry) value(name string) (string, bool) {
	var v string
	switch name {
	case "requestId":
		v = e.requestID
	case "requestTime":
		v = e.received.UTC().Format("02/Jan/2006:15:04:05 -0700")
	case "requestTimeEpoch":
		v = strconv.FormatInt(e.received.UnixMilli(), 10)
	case "httpMethod":
		v = e.method
	case "protocol":
		v = e.protocol
	case "routeKey":
		v = e.routeKey
	case "status":
		v = strconv.Itoa(e.status)
	case "responseLatency":
		v = strconv.FormatInt(e.responseLatency.Milliseconds(), 10)
	case "integrationLatency":
		if e.integrated {
			v = strconv.FormatInt(e.integrationLatency.Milliseconds(), 10)
		}
	case "identity.sourceIp":
		v = e.sourceIP
	case "identity.userAgent":
		v = e.userAgent
	default:
		return "", false
	}
	if v == "" {
		v = "-"
	}
	return v, true
}

// write renders the format for one request. Values are escaped for a JSON string, so that a
// user agent with a quote in it cannot break the line or add a field.
func (l *accessLog) write(e accessEntry) {
	if l == nil {
		return
	}
	line := contextVariable.ReplaceAllStringFunc(l.format, func(v string) string {
		s, _ := e.value(strings.TrimPrefix(v, "$context."))
		q, _ := json.Marshal(s)
		return string(q[1 : len(q)-1])
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.out, line+"\n")
}
