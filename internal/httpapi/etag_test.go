package httpapi

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/validate"
)

func TestIfMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers map[string]string
		holds   map[int64]bool
		invalid bool
	}{
		{"no header", nil, map[int64]bool{0: true, 7: true}, false},
		{"one tag", map[string]string{"if-match": ETag(7)}, map[int64]bool{7: true, 6: false, 8: false}, false},
		{"any case of the name", map[string]string{"If-Match": `"7"`}, map[int64]bool{7: true, 6: false}, false},
		{"a list", map[string]string{"if-match": ` "3" ,"7"`}, map[int64]bool{3: true, 7: true, 5: false}, false},
		{"any version", map[string]string{"if-match": " * "}, map[int64]bool{0: true, 9: true}, false},
		{"weak tags never match", map[string]string{"if-match": `W/"7"`}, map[int64]bool{7: false}, false},
		{"weak and strong", map[string]string{"if-match": `W/"7", "8"`}, map[int64]bool{7: false, 8: true}, false},
		{"unquoted", map[string]string{"if-match": `7`}, nil, true},
		{"not a version", map[string]string{"if-match": `"abc"`}, nil, true},
		{"negative", map[string]string{"if-match": `"-1"`}, nil, true},
		{"empty", map[string]string{"if-match": ``}, nil, true},
		{"half a list", map[string]string{"if-match": `"7",`}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validate.Fields{}
			p := IfMatch(events.APIGatewayV2HTTPRequest{Headers: tt.headers}, f)
			if got := f["If-Match"] != ""; got != tt.invalid {
				t.Fatalf("refused = %v, want %v (%v)", got, tt.invalid, f)
			}
			for v, want := range tt.holds {
				if got := p.Holds(v); got != want {
					t.Errorf("Holds(%d) = %v, want %v", v, got, want)
				}
			}
		})
	}
}
