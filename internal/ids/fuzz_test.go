package ids

import "testing"

// FuzzValid: a path id is accepted exactly when it is 26 characters of New's alphabet,
// and New's ids always are.
func FuzzValid(f *testing.F) {
	for _, s := range []string{New(), "", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "aaaaaaaaaaaaaaaaaaaaaaaaa1", "../../../etc/passwd", "aaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := len(s) == 26
		for i := 0; want && i < len(s); i++ {
			want = 'a' <= s[i] && s[i] <= 'z' || '2' <= s[i] && s[i] <= '7'
		}
		if Valid(s) != want {
			t.Fatalf("Valid(%q) = %v, want %v", s, Valid(s), want)
		}
		if id := New(); !Valid(id) {
			t.Fatalf("New made %q, which Valid refuses", id)
		}
	})
}
