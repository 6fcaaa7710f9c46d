package mail

import (
	"errors"
	"reflect"
	"testing"

	"github.com/roster-dev/roster/internal/locale"
)

// TestLetters: a letter renders exactly the message its message function writes, in
// each language, so the outbox sends what the operation meant; its secret is in
// Secret alone, never in Fields, which the outbox keeps after a mail is given up.
func TestLetters(t *testing.T) {
	t.Parallel()
	const console = "https://console.example.com"
	for _, l := range []locale.Locale{en, cn} {
		cases := []struct {
			name   string
			letter Letter
			want   Message
			secret string
		}{
			{"TemporaryPassword", TemporaryPasswordLetter(l, "a@example.com", "张三丰", "zhang.san", "tangerine-9x-Q", console),
				TemporaryPassword(l, "a@example.com", "张三丰", "zhang.san", "tangerine-9x-Q", console), "tangerine-9x-Q"},
			{"VerificationCode", VerificationCodeLetter(l, "a@example.com", "042917"), VerificationCode(l, "a@example.com", "042917"), "042917"},
			{"RegistrationAttempt", RegistrationAttemptLetter(l, "a@example.com", console), RegistrationAttempt(l, "a@example.com", console), ""},
			{"PasswordResetCode", PasswordResetCodeLetter(l, "a@example.com", "042917"), PasswordResetCode(l, "a@example.com", "042917"), "042917"},
			{"EmailChangeCode", EmailChangeCodeLetter(l, "a@example.com", "042917"), EmailChangeCode(l, "a@example.com", "042917"), "042917"},
			{"EmailChanged", EmailChangedLetter(l, "a@example.com", "n***@example.org"), EmailChanged(l, "a@example.com", "n***@example.org"), ""},
			{"Invitation", InvitationLetter(l, "a@example.com", "Sales 东区", "Ann", console+"/invitations/tok", expires),
				Invitation(l, "a@example.com", "Sales 东区", "Ann", console+"/invitations/tok", expires), console + "/invitations/tok"},
		}
		for _, tc := range cases {
			t.Run(tc.name+" "+string(l), func(t *testing.T) {
				got, err := tc.letter.Message()
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("Message() = %+v, %v\nwant %+v", got, err, tc.want)
				}
				if tc.letter.Secret != tc.secret || tc.letter.Kind.HasSecret() != (tc.secret != "") {
					t.Errorf("secret %q (HasSecret %v), want %q", tc.letter.Secret, tc.letter.Kind.HasSecret(), tc.secret)
				}
				for name, v := range tc.letter.Fields {
					if tc.secret != "" && v == tc.secret {
						t.Errorf("field %s holds the secret", name)
					}
				}
				if tc.secret != "" {
					stripped := tc.letter
					stripped.Secret = ""
					if _, err := stripped.Message(); !errors.Is(err, ErrSecretGone) {
						t.Errorf("stripped letter: %v, want ErrSecretGone", err)
					}
				}
			})
		}
	}
	for _, l := range []Letter{NoLetter(), {Kind: "carrier_pigeon", To: "a@example.com"}} {
		if _, err := l.Message(); !errors.Is(err, ErrUnknownKind) {
			t.Errorf("%q: %v, want ErrUnknownKind", l.Kind, err)
		}
	}
}
