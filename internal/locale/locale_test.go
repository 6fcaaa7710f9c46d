package locale

import "testing"

func TestFromAcceptLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   Locale
	}{
		{"", English},
		{"zh-CN", SimplifiedChinese},
		{"zh-CN,zh;q=0.9,en;q=0.8", SimplifiedChinese},
		{"zh", SimplifiedChinese},
		{"zh-Hans-CN", SimplifiedChinese},
		{"zh-SG", SimplifiedChinese},
		{"en-US,en;q=0.9", English},
		{"en-GB", English},
		{"en;q=0.1, zh;q=0.9", SimplifiedChinese},
		{"fr-FR, zh;q=0.5", SimplifiedChinese},
		{"de-DE, en;q=0.5", English},
		{"zh-TW, en;q=0.5", English},
		{"fr", English},
		{"ja", English},
		{"*", English},
		{"not a header;;q=x", English},
	}
	for _, tt := range tests {
		if got := FromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	t.Parallel()
	for _, l := range All {
		if !l.Valid() || l.OrDefault() != l {
			t.Errorf("%q is not valid", l)
		}
	}
	for _, l := range []Locale{"", "zh-cn", "zh", "en-US", "zh-TW", "EN"} {
		if l.Valid() {
			t.Errorf("%q is valid", l)
		}
		if l.OrDefault() != Default {
			t.Errorf("%q.OrDefault() = %q", l, l.OrDefault())
		}
	}
}
