package httpapi

import (
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/validate"
)

// ETag is the entity tag of a record at a version. It is strong, so that a client can
// send it back in If-Match (which compares strong tags only).
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// Precondition is a request's If-Match header: the versions of the record the client
// based its change on. The zero value (no header) holds for every version.
type Precondition struct {
	present  bool
	versions []int64 // empty with present for "*": any version of an existing record
}

// Holds reports whether a change to the record at version may go ahead.
func (p Precondition) Holds(version int64) bool {
	if !p.present || p.versions == nil {
		return true
	}
	for _, v := range p.versions {
		if v == version {
			return true
		}
	}
	return false
}

// IfMatch reads the If-Match header: "*" or a list of entity tags as ETag makes them.
// A weak tag (W/"3") is accepted and never matches, as RFC 9110 has it; anything
// else is reported under "If-Match".
func IfMatch(req events.APIGatewayV2HTTPRequest, f validate.Fields) Precondition {
	value, ok := Header(req, "if-match")
	if !ok {
		return Precondition{}
	}
	p := Precondition{present: true, versions: []int64{}}
	if strings.TrimSpace(value) == "*" {
		p.versions = nil
		return p
	}
	for _, tag := range strings.Split(value, ",") {
		tag = strings.TrimSpace(tag)
		weak := strings.HasPrefix(tag, "W/")
		tag = strings.TrimPrefix(tag, "W/")
		unquoted, quoted := strings.CutPrefix(tag, `"`)
		unquoted, closed := strings.CutSuffix(unquoted, `"`)
		v, err := strconv.ParseInt(unquoted, 10, 64)
		if !quoted || !closed || err != nil || v < 0 {
			f.Add("If-Match", `must be "*" or entity tags as ETag answers them, like "7"`)
			return Precondition{}
		}
		if !weak {
			p.versions = append(p.versions, v)
		}
	}
	return p
}

// Header reads a request header by name, ignoring case.
func Header(req events.APIGatewayV2HTTPRequest, name string) (string, bool) {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}
