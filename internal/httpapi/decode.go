package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/validate"
)

// MaxBody is the largest request body Roster reads; every request it serves is small.
const MaxBody = 64 << 10

// Decode reads the request body into dst (a pointer to a struct with json tags) strictly:
// unknown fields and values of the wrong type are reported field by field, all together,
// so the handler can add its own checks and answer every bad field at once.
// A body that is not a JSON object is reported under "body".
func Decode(req events.APIGatewayV2HTTPRequest, dst any) validate.Fields {
	fields := validate.Fields{}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			fields.Add("body", "must be a JSON object")
			return fields
		}
		body = decoded
	}
	switch {
	case len(body) > MaxBody:
		fields.Add("body", "must be at most 64 KiB")
	case len(bytes.TrimSpace(body)) == 0:
		fields.Add("body", "must be a JSON object")
	default:
		decodeObject(json.RawMessage(body), reflect.ValueOf(dst).Elem(), "", fields)
	}
	return fields
}

func decodeObject(raw json.RawMessage, dst reflect.Value, prefix string, fields validate.Fields) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		fields.Add(nameOr(prefix, "body"), "must be a JSON object")
		return
	}
	known := structFields(dst.Type())
	for key, value := range members {
		name := prefix + key
		index, ok := known[key]
		if !ok {
			fields.Add(name, "is not a known field")
			continue
		}
		decodeValue(value, dst.Field(index), name, fields)
	}
}

func decodeValue(raw json.RawMessage, field reflect.Value, name string, fields validate.Fields) {
	if string(raw) == "null" {
		return // absent, the same as leaving the field out
	}
	target := field.Type()
	if target.Kind() == reflect.Pointer && target.Elem().Kind() == reflect.Struct {
		field.Set(reflect.New(target.Elem()))
		decodeObject(raw, field.Elem(), name+".", fields)
		return
	}
	if target.Kind() == reflect.Struct {
		decodeObject(raw, field, name+".", fields)
		return
	}
	if err := json.Unmarshal(raw, field.Addr().Interface()); err != nil {
		if integral(raw, field) {
			return
		}
		field.Set(reflect.Zero(target))
		fields.Add(name, typeMessage(target))
	}
}

// integral sets an integer field (or a pointer to one) from a number written with a
// fraction or an exponent that is still a whole number: JSON has one kind of number, and
// 2.0 or 1e2 is as much an integer as 2 or 100 (JSON Schema's integer says the same), though
// encoding/json takes only the plain digits into an int.
func integral(raw json.RawMessage, field reflect.Value) bool {
	target := field.Type()
	if target.Kind() == reflect.Pointer {
		target = target.Elem()
	}
	switch target.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
	default:
		return false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) {
		return false
	}
	v := reflect.New(target).Elem()
	if f < -(1<<63) || f >= 1<<63 || v.OverflowInt(int64(f)) {
		return false
	}
	v.SetInt(int64(f))
	if field.Kind() == reflect.Pointer {
		field.Set(reflect.New(target))
		field.Elem().Set(v)
	} else {
		field.Set(v)
	}
	return true
}

// structFields maps JSON names to field indexes.
func structFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = i
	}
	return m
}

func typeMessage(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "must be an integer"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "must be an array of strings"
		}
		return "must be an array"
	default:
		return "has the wrong type"
	}
}

func nameOr(prefix, fallback string) string {
	if prefix == "" {
		return fallback
	}
	return strings.TrimSuffix(prefix, ".")
}
