package validate

import (
	"strings"
	"testing"
)

// stringCase is one row of a table for a checker of the shape
// func(Fields, field, value string) string.
type stringCase struct {
	name string
	in   string
	want string // normalized value expected back; checked only when bad is false
	bad  bool
}

// runStringTable runs check on every row and asserts that the field is
// refused exactly when the row says so, and that a good value comes back
// normalized as expected.
func runStringTable(t *testing.T, check func(Fields, string, string) string, cases []stringCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			got := check(f, "x", tc.in)
			msg, refused := f["x"]
			if refused != tc.bad {
				t.Fatalf("check(%q): refused=%v (%q), want refused=%v", tc.in, refused, msg, tc.bad)
			}
			if len(f) > 1 {
				t.Fatalf("check(%q) recorded fields other than x: %v", tc.in, f)
			}
			if !tc.bad && got != tc.want {
				t.Fatalf("check(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	f := Fields{}
	if !f.Empty() {
		t.Fatal("new Fields is not empty")
	}
	f.Add("a", "first")
	f.Add("a", "second")
	f.Add("b", "other")
	if f.Empty() || len(f) != 2 {
		t.Fatalf("Fields = %v, want two entries", f)
	}
	if f["a"] != "first" {
		t.Fatalf(`f["a"] = %q, want the first message kept`, f["a"])
	}
}

// TestCollectsEveryField checks the SPEC.md promise that one request reports
// every bad field, not just the first.
func TestCollectsEveryField(t *testing.T) {
	t.Parallel()
	f := Fields{}
	Username(f, "newUser.username", "a")
	login := LoginAccount(f, "newUser.loginAccount", "bad login")
	Email(f, "newUser.email", "not-an-email")
	Mobile(f, "newUser.mobile", "12345")
	Password(f, "newUser.password.value", "short", login)
	RoleIDs(f, "roleIds", nil)
	want := []string{"newUser.username", "newUser.loginAccount", "newUser.email", "newUser.mobile", "newUser.password.value", "roleIds"}
	for _, k := range want {
		if _, ok := f[k]; !ok {
			t.Errorf("field %q not reported; got %v", k, f)
		}
	}
	if len(f) != len(want) {
		t.Errorf("got %d fields, want %d: %v", len(f), len(want), f)
	}
}

func TestUsername(t *testing.T) {
	t.Parallel()
	runStringTable(t, Username, []stringCase{
		{name: "empty", in: "", bad: true},
		{name: "only spaces", in: "   ", bad: true},
		{name: "2 chars", in: "ab", bad: true},
		{name: "3 chars", in: "abc", want: "abc"},
		{name: "64 chars", in: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{name: "65 chars", in: strings.Repeat("a", 65), bad: true},
		{name: "trimmed before counting", in: "  ab  ", bad: true},
		{name: "trimmed", in: "  alice  ", want: "alice"},
		{name: "chinese 3", in: "张三丰", want: "张三丰"},
		{name: "chinese 2", in: "张三", bad: true},
		{name: "chinese 64", in: strings.Repeat("张", 64), want: strings.Repeat("张", 64)},
		{name: "chinese 65", in: strings.Repeat("张", 65), bad: true},
		{name: "arabic", in: "محمد", want: "محمد"},
		{name: "arabic digits", in: "علي٣", want: "علي٣"},
		{name: "accents", in: "José_Müller", want: "José_Müller"},
		{name: "decomposed accent is composed (NFC)", in: "Jose\u0301", want: "Jos\u00e9"},
		{name: "composed accent kept", in: "Jos\u00e9", want: "Jos\u00e9"},
		{name: "hangul composed from jamo (NFC)", in: "\u1100\u1161\u11a8\u1100\u1161\u1100\u1161", want: "\uac01\uac00\uac00"},
		{name: "devanagari with vowel signs", in: "देवनागरी", want: "देवनागरी"},
		{name: "thai", in: "สมชาย", want: "สมชาย"},
		{name: "cyrillic", in: "Иван", want: "Иван"},
		{name: "all symbols", in: "a+=,.@-_", want: "a+=,.@-_"},
		{name: "digits only", in: "123", want: "123"},
		{name: "inner space", in: "alice smith", bad: true},
		{name: "hash", in: "alice#1", bad: true},
		{name: "emoji", in: "alice😀", bad: true},
		{name: "slash", in: "a/b/c", bad: true},
		{name: "quote", in: "o'neil", bad: true},
		{name: "angle brackets", in: "<script>", bad: true},
		{name: "tab inside", in: "ali\tce", bad: true},
		{name: "nul", in: "ali\x00ce", bad: true},
		{name: "invalid utf-8", in: "ali\xffce", bad: true},
		{name: "full-width space", in: "张\u3000三丰", bad: true},
		// Nothing invisible and nothing that reorders text (SPEC.md section 2).
		{name: "right-to-left override", in: "alice\u202egpj.exe", bad: true},
		{name: "left-to-right mark", in: "alice\u200e", bad: true},
		{name: "first strong isolate", in: "\u2068alice", bad: true},
		{name: "zero-width space", in: "ali\u200bce", bad: true},
		{name: "zero-width joiner", in: "ali\u200dce", bad: true},
		{name: "byte-order mark", in: "\ufeffalice", bad: true},
		{name: "soft hyphen", in: "ali\u00adce", bad: true},
		{name: "hangul fillers only (letters by category)", in: "\u3164\u3164\u3164", bad: true},
		{name: "hangul filler inside", in: "ali\u3164ce", bad: true},
		{name: "combining grapheme joiner", in: "ali\u034fce", bad: true},
		{name: "variation selector", in: "ali\ufe0fce", bad: true},
		{name: "line separator", in: "ali\u2028ce", bad: true},
	})
}

func TestLoginAccount(t *testing.T) {
	t.Parallel()
	runStringTable(t, LoginAccount, []stringCase{
		{name: "empty", in: "", bad: true},
		{name: "2 chars", in: "ab", bad: true},
		{name: "3 chars", in: "abc", want: "abc"},
		{name: "64 chars", in: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{name: "65 chars", in: strings.Repeat("a", 65), bad: true},
		{name: "case kept", in: "Alice.Smith", want: "Alice.Smith"},
		{name: "email-like", in: "alice+ops@example.com", want: "alice+ops@example.com"},
		{name: "all symbols", in: "a+=,.@-_9", want: "a+=,.@-_9"},
		{name: "not trimmed", in: " alice", bad: true},
		{name: "inner space", in: "ali ce", bad: true},
		{name: "chinese", in: "张三丰", bad: true},
		{name: "accent", in: "josé", bad: true},
		{name: "hash", in: "alice#", bad: true},
		{name: "emoji", in: "alice😀", bad: true},
		{name: "full-width letter", in: "ａｌｉｃｅ", bad: true},
		{name: "kelvin sign folds to k", in: "\u212aelvin", bad: true},
	})
}

func TestFold(t *testing.T) {
	t.Parallel()
	cases := []struct{ a, b string }{
		{"Alice", "alice"},
		{"ALICE.SMITH", "alice.smith"},
		{"Alice@Example.COM", "alice@example.com"},
	}
	for _, tc := range cases {
		if Fold(tc.a) != Fold(tc.b) {
			t.Errorf("Fold(%q) = %q, Fold(%q) = %q; want equal", tc.a, Fold(tc.a), tc.b, Fold(tc.b))
		}
	}
	if Fold("alice") == Fold("alicf") {
		t.Error("Fold merges different names")
	}
}

func TestEmail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".io" // 254
	if len(long) != 254 {
		t.Fatalf("test setup: len(long) = %d", len(long))
	}
	runStringTable(t, Email, []stringCase{
		{name: "empty", in: "", bad: true},
		{name: "plain", in: "alice@example.com", want: "alice@example.com"},
		{name: "case kept", in: "Alice@Example.COM", want: "Alice@Example.COM"},
		{name: "trimmed", in: "  alice@example.com\t", want: "alice@example.com"},
		{name: "plus tag", in: "alice+roster@example.co.uk", want: "alice+roster@example.co.uk"},
		{name: "apostrophe", in: "o'neil@example.com", want: "o'neil@example.com"},
		{name: "hyphenated domain", in: "a@my-mail.example", want: "a@my-mail.example"},
		{name: "punycode domain", in: "a@xn--mnchen-3ya.de", want: "a@xn--mnchen-3ya.de"},
		{name: "254 chars", in: long, want: long},
		{name: "255 chars", in: "a" + long, bad: true},
		{name: "local part 65", in: strings.Repeat("a", 65) + "@example.com", bad: true},
		{name: "no at", in: "alice.example.com", bad: true},
		{name: "two ats", in: "alice@bob@example.com", bad: true},
		{name: "no domain dot", in: "alice@localhost", bad: true},
		{name: "empty local", in: "@example.com", bad: true},
		{name: "empty domain", in: "alice@", bad: true},
		{name: "display name", in: "Alice <alice@example.com>", bad: true},
		{name: "comment", in: "alice@example.com (Alice)", bad: true},
		{name: "quoted local", in: `"alice"@example.com`, bad: true},
		{name: "quoted local with at", in: `"a@b"@example.com`, bad: true},
		{name: "double dot local", in: "a..b@example.com", bad: true},
		{name: "leading dot", in: ".a@example.com", bad: true},
		{name: "trailing dot domain", in: "a@example.com.", bad: true},
		{name: "double dot domain", in: "a@example..com", bad: true},
		{name: "domain literal", in: "a@[10.0.0.1]", bad: true},
		{name: "ip domain", in: "a@10.0.0.1", bad: true},
		{name: "label starts with hyphen", in: "a@-example.com", bad: true},
		{name: "underscore domain", in: "a@ex_ample.com", bad: true},
		{name: "inner space", in: "ali ce@example.com", bad: true},
		{name: "unicode local", in: "üser@example.com", bad: true},
		{name: "unicode domain", in: "a@münchen.de", bad: true},
		{name: "newline injection", in: "a@example.com\nBcc: b@example.com", bad: true},
	})
}

func TestMobile(t *testing.T) {
	t.Parallel()
	runStringTable(t, Mobile, []stringCase{
		{name: "absent", in: "", want: ""},
		{name: "spaces only means absent", in: "  ", want: ""},
		{name: "8 digits", in: "+12345678", want: "+12345678"},
		{name: "7 digits", in: "+1234567", bad: true},
		{name: "15 digits", in: "+123456789012345", want: "+123456789012345"},
		{name: "16 digits", in: "+1234567890123456", bad: true},
		{name: "china", in: "+8613800138000", want: "+8613800138000"},
		{name: "trimmed", in: " +14155550123 ", want: "+14155550123"},
		{name: "no plus", in: "8613800138000", bad: true},
		{name: "double plus", in: "++8613800138000", bad: true},
		{name: "leading zero country", in: "+0613800138000", bad: true},
		{name: "inner space", in: "+86 13800138000", bad: true},
		{name: "dashes", in: "+1-415-555-0123", bad: true},
		{name: "letters", in: "+1415555ABCD", bad: true},
		{name: "arabic-indic digits", in: "+٨٦١٣٨٠٠١٣٨٠٠٠", bad: true},
	})
}

func TestNames(t *testing.T) {
	t.Parallel()
	for name, check := range map[string]func(Fields, string, string) string{"TeamName": TeamName, "RoleName": RoleName} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runStringTable(t, check, []stringCase{
				{name: "empty", in: "", bad: true},
				{name: "spaces only", in: "   ", bad: true},
				{name: "1 char", in: "A", want: "A"},
				{name: "trimmed", in: "  Sales  ", want: "Sales"},
				{name: "inner spaces kept", in: "Sales  East", want: "Sales  East"},
				{name: "64 chars", in: strings.Repeat("b", 64), want: strings.Repeat("b", 64)},
				{name: "65 chars", in: strings.Repeat("b", 65), bad: true},
				{name: "chinese 64", in: strings.Repeat("队", 64), want: strings.Repeat("队", 64)},
				{name: "chinese 65", in: strings.Repeat("队", 65), bad: true},
				{name: "punctuation and emoji", in: "R&D 🚀 (2025)", want: "R&D 🚀 (2025)"},
				{name: "newline", in: "Sales\nEast", bad: true},
				{name: "nul", in: "Sales\x00", bad: true},
				{name: "decomposed accent is composed (NFC)", in: "Caf\u0065\u0301", want: "Caf\u00e9"},
				{name: "full-width kept as typed", in: "Ａ组", want: "Ａ组"},
				{name: "ideographic space kept", in: "销售\u3000一部", want: "销售\u3000一部"},
				{name: "zero-width space", in: "Sa\u200bles", bad: true},
				{name: "zero-width non-joiner", in: "Sa\u200cles", bad: true},
				{name: "word joiner", in: "Sa\u2060les", bad: true},
				{name: "right-to-left override", in: "Sales \u202eevird", bad: true},
				{name: "right-to-left embedding", in: "\u202bSales", bad: true},
				{name: "pop directional formatting", in: "Sales\u202c", bad: true},
				{name: "right-to-left isolate", in: "\u2067Sales\u2069", bad: true},
				{name: "right-to-left mark", in: "Sales\u200f", bad: true},
				{name: "arabic letter mark", in: "\u061cSales", bad: true},
				{name: "byte-order mark", in: "\ufeffSales", bad: true},
				{name: "mongolian vowel separator", in: "Sa\u180eles", bad: true},
				{name: "hangul filler", in: "\u3164", bad: true},
				{name: "halfwidth hangul filler", in: "Sales\uffa0", bad: true},
				{name: "variation selector", in: "S\ufe00ales", bad: true},
				{name: "tag character", in: "Sales\U000e0041", bad: true},
				{name: "blank braille pattern", in: "Sales\u2800", bad: true},
				{name: "paragraph separator", in: "Sales\u2029East", bad: true},
				{name: "invisible only", in: "\u200b", bad: true},
			})
		})
	}
}

func TestDescription(t *testing.T) {
	t.Parallel()
	runStringTable(t, Description, []stringCase{
		{name: "empty", in: "", want: ""},
		{name: "trimmed", in: "  about us \n", want: "about us"},
		{name: "500 chars", in: strings.Repeat("d", 500), want: strings.Repeat("d", 500)},
		{name: "501 chars", in: strings.Repeat("d", 501), bad: true},
		{name: "500 chinese", in: strings.Repeat("述", 500), want: strings.Repeat("述", 500)},
		{name: "501 chinese", in: strings.Repeat("述", 501), bad: true},
		{name: "line breaks and tabs", in: "line one\r\nline\ttwo", want: "line one\r\nline\ttwo"},
		{name: "bell", in: "ding\a", bad: true},
	})
}

func TestPermissionKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in  string
		bad bool
	}{
		{"team:read", false},
		{"members:manage", false},
		{"invitations:manage", false},
		{"miniprogram:publish", false},
		{"a:b", false},
		{"app:sub-part:do_it2", false},
		{"x9:y-_", false},
		{"a:" + strings.Repeat("b", 98), false}, // 100 chars
		{"a:" + strings.Repeat("b", 99), true},  // 101 chars
		{"", true},
		{"*", true},
		{"team", true},
		{"team:", true},
		{":read", true},
		{"team::read", true},
		{"Team:read", true},
		{"team:Read", true},
		{"team:1read", true},
		{"1team:read", true},
		{"_team:read", true},
		{"team:read:", true},
		{"team:re ad", true},
		{"team:réad", true},
		{" team:read", true},
		{"team.read", true},
		{"team:*", true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			PermissionKey(f, "k", tc.in)
			if _, refused := f["k"]; refused != tc.bad {
				t.Fatalf("PermissionKey(%q): refused=%v, want %v (%v)", tc.in, refused, tc.bad, f)
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	keys := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "app:p" + strings.Repeat("x", i)
		}
		return out
	}
	cases := []struct {
		name string
		in   []string
		want []string // fields expected in Fields, in any order
	}{
		{name: "nil", in: nil},
		{name: "one", in: []string{"team:read"}},
		{name: "50", in: keys(50)},
		{name: "51", in: keys(51), want: []string{"permissions"}},
		{name: "bad element named by index", in: []string{"team:read", "nope", "team:update", "Bad:key"}, want: []string{"permissions[1]", "permissions[3]"}},
		{name: "duplicate", in: []string{"team:read", "team:update", "team:read"}, want: []string{"permissions[2]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			Permissions(f, "permissions", tc.in)
			assertFields(t, f, tc.want)
		})
	}
}

func TestRoleIDs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{name: "nil", in: nil, want: []string{"roleIds"}},
		{name: "empty", in: []string{}, want: []string{"roleIds"}},
		{name: "1", in: []string{"r1"}},
		{name: "3", in: []string{"r1", "r2", "r3"}},
		{name: "4", in: []string{"r1", "r2", "r3", "r4"}, want: []string{"roleIds"}},
		{name: "empty id", in: []string{"r1", ""}, want: []string{"roleIds[1]"}},
		{name: "blank id", in: []string{" "}, want: []string{"roleIds[0]"}},
		{name: "duplicate", in: []string{"r1", "r2", "r1"}, want: []string{"roleIds[2]"}},
		{name: "too many and duplicate", in: []string{"r1", "r1", "r2", "r3"}, want: []string{"roleIds", "roleIds[1]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			RoleIDs(f, "roleIds", tc.in)
			assertFields(t, f, tc.want)
		})
	}
}

func assertFields(t *testing.T, f Fields, want []string) {
	t.Helper()
	if len(f) != len(want) {
		t.Fatalf("got fields %v, want exactly %v", f, want)
	}
	for _, k := range want {
		if _, ok := f[k]; !ok {
			t.Fatalf("field %q missing; got %v", k, f)
		}
	}
}

func TestLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw  string
		want int
		bad  bool
	}{
		{"", 20, false},
		{"1", 1, false},
		{"20", 20, false},
		{"100", 100, false},
		{"0", 20, true},
		{"101", 20, true},
		{"-5", 20, true},
		{"abc", 20, true},
		{"1.5", 20, true},
		{" 10", 20, true},
		{"99999999999999999999999", 20, true},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			got := Limit(f, "limit", tc.raw)
			if _, refused := f["limit"]; refused != tc.bad || got != tc.want {
				t.Fatalf("Limit(%q) = %d refused=%v, want %d refused=%v", tc.raw, got, refused, tc.want, tc.bad)
			}
		})
	}
}

func TestValidForHours(t *testing.T) {
	t.Parallel()
	ptr := func(n int) *int { return &n }
	cases := []struct {
		name string
		in   *int
		want int
		bad  bool
	}{
		{"absent", nil, 168, false},
		{"0", ptr(0), 168, true},
		{"1", ptr(1), 1, false},
		{"720", ptr(720), 720, false},
		{"721", ptr(721), 168, true},
		{"negative", ptr(-1), 168, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			got := ValidForHours(f, "validForHours", tc.in)
			if _, refused := f["validForHours"]; refused != tc.bad || got != tc.want {
				t.Fatalf("ValidForHours = %d refused=%v, want %d refused=%v", got, refused, tc.want, tc.bad)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	t.Run("VerificationCode", func(t *testing.T) {
		t.Parallel()
		runStringTable(t, VerificationCode, []stringCase{
			{name: "6 digits", in: "012345", want: "012345"},
			{name: "trimmed", in: " 012345\n", want: "012345"},
			{name: "empty", in: "", bad: true},
			{name: "5 digits", in: "01234", bad: true},
			{name: "7 digits", in: "0123456", bad: true},
			{name: "letter", in: "01234a", bad: true},
			{name: "inner space", in: "012 345", bad: true},
			{name: "full-width digits", in: "０１２３４５", bad: true},
		})
	})
	t.Run("InvitationCode", func(t *testing.T) {
		t.Parallel()
		runStringTable(t, InvitationCode, []stringCase{
			{name: "8 digits", in: "00123456", want: "00123456"},
			{name: "7 digits", in: "0012345", bad: true},
			{name: "9 digits", in: "001234567", bad: true},
			{name: "empty", in: "", bad: true},
		})
	})
	t.Run("Required", func(t *testing.T) {
		t.Parallel()
		runStringTable(t, Required, []stringCase{
			{name: "value kept as is", in: " tok ", want: " tok "},
			{name: "empty", in: "", bad: true},
			{name: "blank", in: " \t", bad: true},
		})
	})
}

// TestNameKey: names a person cannot tell apart have one key, so only one of them can
// exist; names that differ keep different keys.
func TestNameKey(t *testing.T) {
	t.Parallel()
	same := []struct{ name, a, b string }{
		{"case", "Sales", "SALES"},
		{"composed and decomposed accent", "Caf\u00e9", "Cafe\u0301"},
		{"decomposed and upper case", "CAFE\u0301", "caf\u00e9"},
		{"sharp s folds to ss", "Straße", "STRASSE"},
		{"final sigma", "ΣΊΣΥΦΟΣ", "σίσυφος"},
		{"full-width letters", "ＳＡＬＥＳ", "sales"},
		{"full-width digit in chinese", "１组", "1组"},
		{"ligature", "\ufb01nance", "Finance"},
		{"kelvin sign", "\u212aelvin", "kelvin"},
		{"no-break space", "Sales\u00a0East", "Sales East"},
		{"ideographic space", "销售\u3000一部", "销售 一部"},
		{"runs of spaces", "Sales   East", "Sales East"},
		{"hangul jamo and syllable", "\u1100\u1161", "\uac00"},
	}
	for _, tc := range same {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if ka, kb := NameKey(tc.a), NameKey(tc.b); ka != kb {
				t.Fatalf("NameKey(%q) = %q, NameKey(%q) = %q; want one key", tc.a, ka, tc.b, kb)
			}
		})
	}
	different := []struct{ a, b string }{
		{"Sales", "Sale"},
		{"Sales East", "SalesEast"},
		{"café", "cafe"},
		{"销售一部", "销售二部"},
		{"Sales ", "Salesforce"},
	}
	for _, tc := range different {
		if NameKey(tc.a) == NameKey(tc.b) {
			t.Errorf("NameKey(%q) = NameKey(%q) = %q; want different keys", tc.a, tc.b, NameKey(tc.a))
		}
	}
	// A key is its own key: a prefix search keyed the same way finds it.
	for _, tc := range same {
		if k := NameKey(tc.a); NameKey(k) != k {
			t.Errorf("NameKey(%q) = %q is not stable: %q", tc.a, k, NameKey(k))
		}
	}
}
