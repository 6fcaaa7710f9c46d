package validate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Each checker, whatever it is given: no panic; a refusal names the field it was asked to
// check, with a message (one that never repeats a password); an accepted value comes back
// in the shape the rule promises, and checking it again accepts it unchanged.

func checkString(t *testing.T, check func(Fields, string, string) string, in string) (string, bool) {
	t.Helper()
	f := Fields{}
	out := check(f, "field", in)
	for name, msg := range f {
		if name != "field" {
			t.Fatalf("refused %q, not the field it was asked to check", name)
		}
		if msg == "" {
			t.Fatal("a refusal without a message")
		}
	}
	if !f.Empty() {
		return out, false
	}
	again := Fields{}
	if back := check(again, "field", out); !again.Empty() || back != out {
		t.Fatalf("%q was accepted as %q, which is then refused (%v) or changed (%q)", in, out, again, back)
	}
	return out, true
}

func seed(f *testing.F, values ...string) {
	for _, v := range values {
		f.Add(v)
	}
}

func FuzzUsername(f *testing.F) {
	seed(f, "张三", "alice", " bob ", "ab", "देव", "a b c", "x\u200by", "alice!", strings.Repeat("名", 65), "\xff\xfe")
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := checkString(t, Username, in)
		if !ok {
			return
		}
		if out != strings.TrimSpace(out) || utf8.RuneCountInString(out) < 3 || utf8.RuneCountInString(out) > 64 || !utf8.ValidString(out) {
			t.Fatalf("accepted %q: not trimmed, or not 3 to 64 characters", out)
		}
		for _, r := range out {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.In(r, unicode.Mn, unicode.Mc) && !strings.ContainsRune(nameSymbols, r) {
				t.Fatalf("accepted %q with %U", out, r)
			}
		}
	})
}

func FuzzLoginAccount(f *testing.F) {
	seed(f, "alice", "a.b+c=d,e@f-g_h", " alice", "al", "ALICE", "zhang三", strings.Repeat("a", 65))
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := checkString(t, LoginAccount, in)
		if !ok {
			return
		}
		if out != in || len(out) < 3 || len(out) > 64 {
			t.Fatalf("accepted %q as %q: changed, or not 3 to 64 characters", in, out)
		}
		for _, r := range out {
			if !loginRune(r) {
				t.Fatalf("accepted %q with %U", out, r)
			}
		}
		if Fold(out) != strings.ToLower(out) || Fold(Fold(out)) != Fold(out) {
			t.Fatalf("Fold(%q) is not its lower case", out)
		}
	})
}

func FuzzEmail(f *testing.F) {
	seed(f, "a@example.com", " A.B+c@Sub.Example.co ", "a@b", "a@localhost", "a@[10.0.0.1]", "Bob <b@x.io>", `"a b"@x.io`,
		"a@b.123", "a..b@x.io", "a@-x.io", "ü@x.io", "a@xn--bcher-kva.example", strings.Repeat("a", 65)+"@x.io")
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := checkString(t, Email, in)
		if !ok {
			return
		}
		if out != strings.TrimSpace(in) || len(out) > 254 || strings.Count(out, "@") != 1 {
			t.Fatalf("accepted %q as %q", in, out)
		}
		local, domain, _ := strings.Cut(out, "@")
		if local == "" || len(local) > 64 || !strings.Contains(domain, ".") {
			t.Fatalf("accepted %q: local part or domain out of shape", out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] <= ' ' || out[i] >= 0x7f {
				t.Fatalf("accepted %q with byte %#x", out, out[i])
			}
		}
	})
}

func FuzzMobile(f *testing.F) {
	seed(f, "+8613800138000", " +12025550123 ", "+0123456789", "8613800138000", "+123", "+1 202 555 0123", "")
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := checkString(t, Mobile, in)
		if !ok || out == "" {
			return
		}
		digits, plus := strings.CutPrefix(out, "+")
		if !plus || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("accepted %q, which is not E.164", out)
		}
	})
}

func FuzzPassword(f *testing.F) {
	f.Add("correct-horse-42", "alice")
	f.Add("1qaz2wsx3edc4rfv", "bob")
	f.Add("xx-alice-xx-xx", "ALICE")
	f.Add(" leading-space-pw", "")
	f.Add(strings.Repeat("密", 129), "x")
	f.Fuzz(func(t *testing.T, password, login string) {
		fields := Fields{}
		Password(fields, "password", password, login)
		msg, refused := fields["password"]
		if len(fields) > 1 || (refused && msg == "") {
			t.Fatalf("refusal %v does not name password alone", fields)
		}
		if refused {
			if v := strings.TrimSpace(password); len(v) >= 4 && strings.Contains(msg, v) {
				t.Fatalf("message %q repeats the password", msg)
			}
			return
		}
		n := utf8.RuneCountInString(password)
		first, _ := utf8.DecodeRuneInString(password)
		last, _ := utf8.DecodeLastRuneInString(password)
		switch {
		case n < 12 || n > 128:
			t.Fatalf("accepted a password of %d characters", n)
		case unicode.IsSpace(first) || unicode.IsSpace(last):
			t.Fatal("accepted a password beginning or ending with white space")
		case login != "" && strings.Contains(strings.ToLower(password), strings.ToLower(login)):
			t.Fatal("accepted a password containing the login account")
		case IsCommonPassword(password):
			t.Fatal("accepted a common password")
		}
	})
}

func FuzzName(f *testing.F) {
	seed(f, "Sales", " 销售部 ", "", " ", "a\nb", "a\x00", strings.Repeat("n", 65), "\u0085x\u0085")
	f.Fuzz(func(t *testing.T, in string) {
		for _, check := range []func(Fields, string, string) string{TeamName, RoleName} {
			out, ok := checkString(t, check, in)
			if !ok {
				continue
			}
			if out != strings.TrimSpace(out) || out == "" || utf8.RuneCountInString(out) > 64 || hasControl(out, false) {
				t.Fatalf("accepted the name %q", out)
			}
		}
	})
}

func FuzzDescription(f *testing.F) {
	seed(f, "", "line one\r\nline\ttwo", "ding\a", strings.Repeat("d", 501), " padded ")
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := checkString(t, Description, in)
		if ok && (out != strings.TrimSpace(out) || utf8.RuneCountInString(out) > 500 || hasControl(out, true)) {
			t.Fatalf("accepted the description %q", out)
		}
	})
}

// FuzzPermissionKey also holds the checker to SPEC.md's expression, written as a regexp.
func FuzzPermissionKey(f *testing.F) {
	seed(f, "team:read", "a:b:c", "Team:read", "team:", ":x", "*", "a:"+strings.Repeat("b", 99), "x9:y-_")
	f.Fuzz(func(t *testing.T, in string) {
		fields := Fields{}
		PermissionKey(fields, "k", in)
		_, refused := fields["k"]
		want := len(in) <= 100 && permissionKeyExpr.MatchString(in)
		if refused == want {
			t.Fatalf("PermissionKey(%q) refused=%v, but the expression says valid=%v", in, refused, want)
		}
	})
}

// FuzzLists: permission lists and role id lists, given as a newline-separated list.
func FuzzLists(f *testing.F) {
	seed(f, "team:read\nteam:update", "", "team:read\nteam:read", "owner\nadmin\nmember\nx", " \nx", "r1\nr1")
	f.Fuzz(func(t *testing.T, joined string) {
		list := strings.Split(joined, "\n")
		perms := Fields{}
		Permissions(perms, "permissions", list)
		roles := Fields{}
		RoleIDs(roles, "roleIds", list)
		for name, fields := range map[string]Fields{"permissions": perms, "roleIds": roles} {
			for field := range fields {
				if field != name && !strings.HasPrefix(field, name+"[") {
					t.Fatalf("a %s list refused %q", name, field)
				}
			}
		}
		if perms.Empty() && (len(list) > 50 || hasDuplicate(list)) {
			t.Fatalf("accepted the permissions %q", list)
		}
		if roles.Empty() && (len(list) < 1 || len(list) > 3 || hasDuplicate(list)) {
			t.Fatalf("accepted the role ids %q", list)
		}
	})
}

func hasDuplicate(list []string) bool {
	seen := map[string]bool{}
	for _, v := range list {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}

// FuzzNumbers: a page size and a link's validity, as the query and the body carry them.
func FuzzNumbers(f *testing.F) {
	seed(f, "", "1", "100", "0", "101", "-1", " 5", "+5", "05", "1e2", "99999999999999999999")
	f.Fuzz(func(t *testing.T, raw string) {
		fields := Fields{}
		n := Limit(fields, "limit", raw)
		want, err := parseInt(raw)
		switch {
		case raw == "":
			want, err = DefaultLimit, nil
		case err == nil && (want < 1 || want > MaxLimit):
			err = strconv.ErrRange
		}
		if (err == nil) != fields.Empty() || (err == nil && n != want) || (err != nil && n != DefaultLimit) {
			t.Fatalf("Limit(%q) = %d, refused %v", raw, n, fields)
		}
		if raw == "" && (n != DefaultLimit || !fields.Empty()) {
			t.Fatal("no limit is not the default")
		}
		if h, err := parseInt(raw); err == nil {
			fields := Fields{}
			got := ValidForHours(fields, "validForHours", &h)
			inRange := h >= 1 && h <= MaxValidForHours
			if fields.Empty() != inRange || (inRange && got != h) || (!inRange && got != DefaultValidForHours) {
				t.Fatalf("ValidForHours(%d) = %d, refused %v", h, got, fields)
			}
		}
	})
}

// FuzzCodes: emailed codes are 6 digits and invitation codes 8, trimmed; Required keeps a
// value as it is.
func FuzzCodes(f *testing.F) {
	seed(f, "012345", " 012345\n", "01234567", "０１２３４５", "12 345", "", "abcdef")
	f.Fuzz(func(t *testing.T, in string) {
		for n, check := range map[int]func(Fields, string, string) string{6: VerificationCode, 8: InvitationCode} {
			out, ok := checkString(t, check, in)
			if ok && (len(out) != n || strings.Trim(out, "0123456789") != "" || out != strings.TrimSpace(in)) {
				t.Fatalf("accepted %q as a %d-digit code %q", in, n, out)
			}
		}
		fields := Fields{}
		if out := Required(fields, "field", in); out != in || fields.Empty() != (strings.TrimSpace(in) != "") {
			t.Fatalf("Required(%q) = %q, refused %v", in, out, fields)
		}
	})
}

// permissionKeyExpr is SPEC.md's rule, which the checker implements by hand.
var permissionKeyExpr = regexp.MustCompile(`^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)+$`)

func parseInt(raw string) (int, error) { return strconv.Atoi(raw) }
