package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/validate"
)

// fuzzBody has every kind of field a request body of Roster's has.
type fuzzBody struct {
	Name     string         `json:"name"`
	Optional *string        `json:"optional"`
	Count    *int           `json:"count"`
	Flag     bool           `json:"flag"`
	List     []string       `json:"list"`
	Nested   *fuzzNested    `json:"nested"`
	ListPtr  *[]string      `json:"listPtr"`
	Inline   fuzzNested     `json:"inline"`
	Skipped  string         `json:"-"`
	Numbers  []int          `json:"numbers"`
	Changes  map[string]any `json:"changes"`
}

type fuzzNested struct {
	Value    string `json:"value"`
	Generate bool   `json:"generate"`
}

// knownField reports whether a refused field's name is one the body has: its own names, a
// nested one ("nested.value"), or the whole body.
func knownField(name string) bool {
	switch name {
	case "body", "name", "optional", "count", "flag", "list", "nested", "listPtr", "inline", "numbers", "changes",
		"nested.value", "nested.generate", "inline.value", "inline.generate":
		return true
	}
	return false
}

// FuzzDecode: whatever the body, Decode does not panic; every field it refuses is a field
// of the body (a nested one, or the body itself), or a member the body does not have,
// refused as unknown; and a body it accepts decodes again, once re-encoded, to the same
// value (nothing read is lost or invented).
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"name":"a","optional":null,"count":3,"flag":true,"list":["x","y"]}`,
		`{"nested":{"value":"v","generate":true},"inline":{"value":"w"}}`,
		`{"nested":{"extra":1}}`, `{"unknown":1,"name":2,"count":"x","flag":"yes"}`,
		`{"list":[1,2]}`, `{"listPtr":null}`, `{"changes":{"a":{"from":1}}}`,
		`[]`, `null`, `"text"`, `{`, ``, `   `, `{"name":"\ud800"}`, `{"name":"a","name":"b"}`,
		`{"count":1e400}`, `{"count":1.5}`, `{"numbers":[1,-2,3]}`, `{"-":"x","Skipped":"y"}`,
		strings.Repeat(`{"nested":`, 50),
	} {
		f.Add(seed, false)
	}
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"name":"b64"}`)), true)
	f.Add("not base64!", true)
	f.Fuzz(func(t *testing.T, body string, b64 bool) {
		var dst fuzzBody
		fields := Decode(events.APIGatewayV2HTTPRequest{Body: body, IsBase64Encoded: b64}, &dst)
		for name, msg := range fields {
			if !knownField(name) && msg != "is not a known field" {
				t.Fatalf("refused %q (%s): neither a field of the body nor an unknown one named as such", name, msg)
			}
			if msg == "" {
				t.Fatalf("refused %q without saying why", name)
			}
		}
		if !fields.Empty() {
			return
		}
		again, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("an accepted body does not encode: %v", err)
		}
		var back fuzzBody
		if refused := Decode(events.APIGatewayV2HTTPRequest{Body: string(again)}, &back); !refused.Empty() {
			t.Fatalf("the re-encoded body %s is refused: %v", again, refused)
		}
		if !reflect.DeepEqual(normal(dst), normal(back)) {
			t.Fatalf("decode, encode, decode changed the value:\n%+v\n%+v", dst, back)
		}
	})
}

// normal makes empty and absent collections alike, as JSON's null and [] are for Decode.
func normal(b fuzzBody) fuzzBody {
	if len(b.List) == 0 {
		b.List = nil
	}
	if len(b.Numbers) == 0 {
		b.Numbers = nil
	}
	if len(b.Changes) == 0 {
		b.Changes = nil
	}
	data, _ := json.Marshal(b.Changes) // numbers in any come back as float64 either way
	b.Changes = nil
	_ = json.Unmarshal(data, &b.Changes)
	return b
}

// FuzzIfMatch: any If-Match header is read without a panic; a refused one is named
// If-Match; an accepted one holds for exactly the strong tags it lists (or every version
// for "*"), and ETag's own tags read back to their version.
func FuzzIfMatch(f *testing.F) {
	for _, seed := range []string{`"7"`, `*`, ` * `, `W/"3"`, `"1", "2"`, `"1",W/"2"`, `7`, `"-1"`, `""`, `"a"`,
		`"99999999999999999999"`, `,`, `"1",`, `W/`, "\"1\"\x00"} {
		f.Add(seed, int64(7))
	}
	f.Fuzz(func(t *testing.T, header string, version int64) {
		fields := validate.Fields{}
		p := IfMatch(events.APIGatewayV2HTTPRequest{Headers: map[string]string{"If-Match": header}}, fields)
		for name := range fields {
			if name != "If-Match" {
				t.Fatalf("refused %q for an If-Match header", name)
			}
		}
		if !fields.Empty() {
			if p.present {
				t.Fatal("a refused header still makes a precondition")
			}
			return
		}
		if strings.TrimSpace(header) == "*" {
			if !p.Holds(version) {
				t.Fatal(`"*" does not hold for a version`)
			}
			return
		}
		listed := false
		for _, tag := range strings.Split(header, ",") {
			tag = strings.TrimSpace(tag)
			if v, err := strconv.ParseInt(strings.Trim(tag, `"`), 10, 64); err == nil && tag == ETag(v) && v == version {
				listed = true
			}
		}
		if p.Holds(version) != listed {
			t.Fatalf("If-Match %q holds for %d: %v, want %v", header, version, p.Holds(version), listed)
		}
		if version >= 0 {
			own := IfMatch(events.APIGatewayV2HTTPRequest{Headers: map[string]string{"if-match": ETag(version)}}, validate.Fields{})
			if !own.Holds(version) || own.Holds(version+1) {
				t.Fatalf("ETag(%d) = %s does not read back to its version alone", version, ETag(version))
			}
		}
	})
}

// FuzzClaims: whatever claims the authorizer passes on, Subject answers a user id only for
// an access token of Roster's own client that names one, and 401 otherwise; IssuedAt
// answers the iat second when it is a number and the zero time (older than anything)
// when it is not.
func FuzzClaims(f *testing.F) {
	f.Add("access", "client", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "1795327200")
	f.Add("id", "client", "u", "0")
	f.Add("access", "other", "u", "-5")
	f.Add("access", "client", "", "x")
	f.Add("", "", "", "")
	f.Add("ACCESS", "client", "u", "99999999999999999999")
	f.Fuzz(func(t *testing.T, use, client, username, iat string) {
		req := events.APIGatewayV2HTTPRequest{}
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"token_use": use, "client_id": client, "username": username, "iat": iat},
			},
		}
		id, err := Subject(req, "client")
		valid := use == "access" && client == "client" && username != ""
		switch {
		case valid && (err != nil || id != username):
			t.Fatalf("a valid access token was refused or misread: %q, %v", id, err)
		case !valid && (err == nil || id != ""):
			t.Fatalf("claims %q/%q/%q were accepted as %q", use, client, username, id)
		}
		at := IssuedAt(req)
		if n, perr := strconv.ParseInt(iat, 10, 64); perr == nil {
			if !at.Equal(time.Unix(n, 0)) {
				t.Fatalf("iat %q read as %v", iat, at)
			}
		} else if !at.IsZero() {
			t.Fatalf("an unreadable iat %q read as %v, not the zero time", iat, at)
		}
		if _, err := Subject(events.APIGatewayV2HTTPRequest{}, "client"); err == nil {
			t.Fatal("a request without an authorizer has a subject")
		}
	})
}
