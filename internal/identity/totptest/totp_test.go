package totptest

import (
	"encoding/base32"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 rows (8-digit codes there; these are their last 6 digits).
func TestRFC6238Vectors(t *testing.T) {
	t.Parallel()
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		got, err := At(secret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("At(%d) = %q, %v; want %q", tt.unix, got, err, tt.want)
		}
	}
	if _, err := At("not base32!", time.Now()); err == nil {
		t.Error("a bad secret was accepted")
	}
	wrong, _ := Wrong(secret)
	if now, _ := At(secret, time.Now()); wrong == now || len(wrong) != 6 {
		t.Errorf("Wrong = %q, current %q", wrong, now)
	}
}
