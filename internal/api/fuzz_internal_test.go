package api

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzInvitationToken: a link's token is looked up only when it has the shape newToken
// gives (43 base64url characters, 32 bytes), and every token newToken makes has it.
func FuzzInvitationToken(f *testing.F) {
	token, _ := newToken()
	for _, s := range []string{token, "", strings.Repeat("A", 43), strings.Repeat("A", 44), strings.Repeat("+", 43), token[:42] + "=", "../" + token[3:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validToken(s) {
			return
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if len(s) != 43 || err != nil || len(b) != tokenBytes || strings.ContainsAny(s, "+/=") {
			t.Fatalf("accepted the token %q", s)
		}
		if tokenHash(s) == tokenHash(s+"x") || len(tokenHash(s)) != 64 {
			t.Fatal("the hash does not tell tokens apart")
		}
		if fresh, hash := newToken(); !validToken(fresh) || tokenHash(fresh) != hash {
			t.Fatalf("newToken made %q, which is refused or hashed otherwise", fresh)
		}
	})
}

// FuzzTokenUsername: the username claim read from a token Cognito issued is the claim, and
// anything that is not a three-part token with a JSON payload reads as no user at all.
func FuzzTokenUsername(f *testing.F) {
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"username":"aaaaaaaaaaaaaaaaaaaaaaaaaa","token_use":"access"}`))
	for _, s := range []string{"h." + payload + ".s", "", "a.b", "a.b.c.d", "h.!!!.s", "h.bnVsbA.s", "h.e30.s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got := tokenUsername(token)
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			if got != "" {
				t.Fatalf("%q is no token, yet names %q", token, got)
			}
			return
		}
		data, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims struct {
			Username string `json:"username"`
		}
		if err != nil || json.Unmarshal(data, &claims) != nil {
			if got != "" {
				t.Fatalf("an unreadable payload names %q", got)
			}
			return
		}
		if got != claims.Username {
			t.Fatalf("read %q, the claim is %q", got, claims.Username)
		}
	})
}
