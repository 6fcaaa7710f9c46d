package streams

import (
	"errors"
	"testing"
)

// record is a KEYS_ONLY stream record as Lambda hands it to the function.
const sampleRecord = `{
  "eventID": "e1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
  "awsRegion": "us-east-1",
  "dynamodb": {
    "ApproximateCreationDateTime": 1796559600, "SequenceNumber": "000000000000000000042", "SizeBytes": 26,
    "StreamViewType": "KEYS_ONLY",
    "Keys": {"pk": {"S": "OUTBOX#01J"}, "sk": {"S": "OUTBOX"}, "n": {"N": "5"}}
  },
  "tags": ["a", "b"], "empty": "", "nothing": null, "flag": true, "size": 300,
  "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/roster/stream/2026-12-06T12:20:54.781"
}`

func TestFilterMatch(t *testing.T) {
	t.Parallel()
	rec, err := DecodeRecord([]byte(sampleRecord))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    bool
	}{
		// The outbox's filter: new items whose key starts OUTBOX#.
		{`{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}`, true},
		{`{"eventName": ["MODIFY"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}`, false},
		{`{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "USER#"}]}}}}`, false},
		// Equals, or, and.
		{`{"eventName": ["MODIFY", "INSERT"]}`, true},
		{`{"eventName": ["INSERT"], "awsRegion": ["eu-west-1"]}`, false},
		{`{"eventName": ["insert"]}`, false},
		{`{"eventName": [{"equals-ignore-case": "insert"}]}`, true},
		{`{"dynamodb": {"Keys": {"sk": {"S": [{"suffix": "BOX"}]}}}}`, true},
		// Null, empty, booleans, numbers as written.
		{`{"nothing": [null]}`, true},
		{`{"empty": [null]}`, false},
		{`{"empty": [""]}`, true},
		{`{"flag": [true]}`, true},
		{`{"flag": [false]}`, false},
		{`{"size": [300]}`, true},
		{`{"size": [300.0]}`, false},
		{`{"size": [{"numeric": ["=", 300]}]}`, true},
		{`{"size": [{"numeric": [">", 10, "<=", 300]}]}`, true},
		{`{"size": [{"numeric": [">", 300]}]}`, false},
		// A DynamoDB number is a string in the record: numeric never matches it.
		{`{"dynamodb": {"Keys": {"n": {"N": [{"numeric": [">", 1]}]}}}}`, false},
		{`{"dynamodb": {"Keys": {"n": {"N": ["5"]}}}}`, true},
		// Exists, on leaves only; a missing field.
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"exists": true}]}}}}`, true},
		{`{"dynamodb": {"NewImage": {"pk": {"S": [{"exists": true}]}}}}`, false},
		{`{"dynamodb": {"NewImage": {"pk": {"S": [{"exists": false}]}}}}`, true},
		{`{"dynamodb": {"Keys": [{"exists": true}]}}`, false},
		{`{"missing": ["x"]}`, false},
		{`{"missing": [{"anything-but": "x"}]}`, false},
		// Anything-but.
		{`{"eventName": [{"anything-but": ["REMOVE", "MODIFY"]}]}`, true},
		{`{"eventName": [{"anything-but": "INSERT"}]}`, false},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"anything-but": {"prefix": "OUTBOX#"}}]}}}}`, false},
		// An array matches when one of its elements does.
		{`{"tags": ["b"]}`, true},
		{`{"tags": ["c"]}`, false},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.pattern)
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		if got := f.Match(rec); got != tt.want {
			t.Errorf("%s matches: %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestMatchAny(t *testing.T) {
	t.Parallel()
	rec, _ := DecodeRecord([]byte(sampleRecord))
	insert, _ := ParseFilter(`{"eventName": ["INSERT"]}`)
	remove, _ := ParseFilter(`{"eventName": ["REMOVE"]}`)
	if !MatchAny(nil, rec) || !MatchAny([]*Filter{remove, insert}, rec) || MatchAny([]*Filter{remove}, rec) {
		t.Error("filters are not ORed, or no filter does not pass everything")
	}
}

// What Lambda refuses when the mapping is made.
func TestParseFilterErrors(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		``, `[]`, `{}`, `"INSERT"`, `{"eventName": "INSERT"}`, `{"eventName": []}`, `{"dynamodb": {}}`,
		`{"eventName": [{"wildcard": "IN*"}]}`, `{"eventName": [{"prefix": 1}]}`,
		`{"eventName": [{"prefix": "a", "suffix": "b"}]}`, `{"size": [{"numeric": [">"]}]}`,
		`{"size": [{"numeric": ["!=", 3]}]}`, `{"size": [{"numeric": [">", "3"]}]}`,
		`{"x": [{"exists": "yes"}]}`, `{"x": [{"anything-but": [{"a": 1}]}]}`, `{"x": [["nested"]]}`,
	} {
		if _, err := ParseFilter(p); !errors.Is(err, ErrPattern) {
			t.Errorf("ParseFilter(%s) = %v, want ErrPattern", p, err)
		}
	}
}
