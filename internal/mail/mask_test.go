package mail

import "testing"

func TestMaskAddress(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"nina@example.com":   "n***@example.com",
		"n@example.com":      "n**@example.com",
		"jo@example.com":     "j**@example.com",
		"Alice.B@mail.co.uk": "A******@mail.co.uk",
		"not-an-address":     "***",
		"@example.com":       "***",
	}
	for in, want := range tests {
		if got := MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
