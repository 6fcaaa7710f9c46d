package validate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	body := commonPasswords()
	if !strings.HasSuffix(body, "\n") {
		t.Fatal("list does not end with a newline")
	}
	entries := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(entries) < 10_000 {
		t.Fatalf("common password list holds %d entries, SPEC.md wants at least 10,000", len(entries))
	}
	set := make(map[string]bool, len(entries))
	long := 0
	for i, p := range entries {
		if p == "" || p != strings.ToLower(p) || p != strings.TrimSpace(p) || strings.HasPrefix(p, "#") {
			t.Fatalf("entry %d %q is not a lower-case, trimmed, non-comment password", i, p)
		}
		// The look-up is a binary search: an entry out of order would be
		// silently unreachable, so order is part of the file's contract.
		if i > 0 && entries[i-1] >= p {
			t.Fatalf("entries %q and %q are not strictly sorted by byte value", entries[i-1], p)
		}
		if utf8.RuneCountInString(p) >= 12 {
			long++
		}
		set[p] = true
	}
	// Only entries of 12 characters or more can ever refuse a password that
	// passes the length rule; make sure the list still has some.
	if long < 100 {
		t.Fatalf("only %d entries have 12 or more characters", long)
	}
	t.Logf("%d common passwords, %d of them 12+ characters", len(entries), long)

	// Every entry is found, and near misses around every entry are not,
	// unless they are entries themselves.
	for _, p := range entries {
		if !sortedLinesContain(body, p) {
			t.Fatalf("entry %q not found", p)
		}
		for _, probe := range []string{p + "~", p[:len(p)-1], "!" + p, p + "\x00"} {
			if sortedLinesContain(body, probe) != set[probe] {
				t.Fatalf("look-up of %q = %v, want %v", probe, !set[probe], set[probe])
			}
		}
	}
}

func TestSortedLinesContain(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body, key string
		want      bool
	}{
		{"", "a", false},
		{"a\n", "a", true},
		{"a\n", "", false},
		{"a\nb\nc\n", "a", true},
		{"a\nb\nc\n", "c", true},
		{"a\nb\nc\n", "bb", false},
		{"a\nb\nc", "c", true}, // no final newline
		{"aa\nab\nb\nbcd\nzz\n", "bcd", true},
		{"aa\nab\nb\nbcd\nzz\n", "bc", false},
		{"aa\nab\nb\nbcd\nzz\n", "zzz", false},
		{"aa\nab\nb\nbcd\nzz\n", "0", false},
	}
	for _, tc := range cases {
		if got := sortedLinesContain(tc.body, tc.key); got != tc.want {
			t.Errorf("sortedLinesContain(%q, %q) = %v, want %v", tc.body, tc.key, got, tc.want)
		}
	}
	if got := listBody("# one\n#two\nx\ny\n"); got != "x\ny\n" {
		t.Errorf("listBody = %q", got)
	}
}

func TestIsCommonPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want bool
	}{
		{"123456", true},
		{"password", true},
		{"PassWord", true},
		{"1qaz2wsx3edc4rfv", true},
		{"1QAZ2WSX3EDC4RFV", true},
		{"qwerty123456", true},
		{"correct horse battery staple 42", false},
		{"", false},
		{"# common passwords", false},
	}
	for _, tc := range cases {
		if got := IsCommonPassword(tc.in); got != tc.want {
			t.Errorf("IsCommonPassword(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		password string
		login    string
		bad      bool
		reason   string // part of the expected message
	}{
		{name: "empty", password: "", login: "alice", bad: true, reason: "required"},
		{name: "11 chars", password: "tangerine-9", login: "alice", bad: true, reason: "12 to 128"},
		{name: "12 chars", password: "tangerine-9x", login: "alice"},
		{name: "128 chars", password: strings.Repeat("v", 127) + "!", login: "alice"},
		{name: "129 chars", password: strings.Repeat("v", 128) + "!", login: "alice", bad: true, reason: "12 to 128"},
		{name: "12 runes chinese", password: "我的密码是一二三四五六七", login: "alice"},
		{name: "11 runes chinese", password: "我的密码是一二三四五六", login: "alice", bad: true, reason: "12 to 128"},
		{name: "128 runes of 3 bytes", password: strings.Repeat("密", 128), login: "alice"},
		{name: "129 runes of 3 bytes", password: strings.Repeat("密", 129), login: "alice", bad: true, reason: "12 to 128"},
		{name: "no composition rule: lower-case letters only", password: "mossyriverstone", login: "alice"},
		{name: "no composition rule: spaces inside", password: "moss river stone", login: "alice"},
		{name: "equal to login", password: "alice.smith.2024", login: "alice.smith.2024", bad: true, reason: "login account"},
		{name: "equal to login other case", password: "Alice.Smith.2024", login: "alice.smith.2024", bad: true, reason: "login account"},
		{name: "contains login", password: "xx-alice-smith-xx", login: "alice-smith", bad: true, reason: "login account"},
		{name: "contains login other case", password: "My-ALICE.SMITH-pass", login: "Alice.Smith", bad: true, reason: "login account"},
		{name: "login unknown yet", password: "xx-alice-smith-xx", login: ""},
		{name: "common, 12+ chars", password: "1qaz2wsx3edc4rfv", login: "alice", bad: true, reason: "common"},
		{name: "common, 12+ chars, other case", password: "QwErTy123456", login: "alice", bad: true, reason: "common"},
		{name: "common with suffix is fine", password: "1qaz2wsx3edc4rfv!", login: "alice"},
		{name: "leading space", password: " tangerine-9xy", login: "alice", bad: true, reason: "space"},
		{name: "trailing space", password: "tangerine-9xy ", login: "alice", bad: true, reason: "space"},
		{name: "trailing newline", password: "tangerine-9xy\n", login: "alice", bad: true, reason: "space"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Fields{}
			Password(f, "password", tc.password, tc.login)
			msg, refused := f["password"]
			if refused != tc.bad {
				t.Fatalf("refused=%v (%q), want %v", refused, msg, tc.bad)
			}
			if !strings.Contains(msg, tc.reason) {
				t.Fatalf("message %q does not say %q", msg, tc.reason)
			}
			if refused && tc.password != "" && strings.Contains(msg, strings.TrimSpace(tc.password)) {
				t.Fatalf("message %q repeats the password", msg)
			}
		})
	}
}

// BenchmarkCommonPasswordsLoad measures what the first password check of a
// cold function pays to get the list ready: finding the body after the header.
// There is nothing else to load; look-ups search the embedded text in place.
func BenchmarkCommonPasswordsLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if listBody(commonPasswordsFile) == "" {
			b.Fatal("empty list")
		}
	}
}

// BenchmarkCommonPasswordsMapLoad measures the alternative this package does
// not use, building a map of the whole list, to keep the reason on record.
func BenchmarkCommonPasswordsMapLoad(b *testing.B) {
	b.ReportAllocs()
	body := listBody(commonPasswordsFile)
	for b.Loop() {
		set := make(map[string]struct{}, strings.Count(body, "\n"))
		for line := range strings.Lines(body) {
			set[strings.TrimSuffix(line, "\n")] = struct{}{}
		}
	}
}

// BenchmarkIsCommonPassword measures one look-up of a password that is not in
// the list (the common case) and one that is.
func BenchmarkIsCommonPassword(b *testing.B) {
	for _, p := range []string{"Correct-Horse-Battery", "1qaz2wsx3edc4rfv"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				IsCommonPassword(p)
			}
		})
	}
}
