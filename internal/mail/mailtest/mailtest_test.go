package mailtest

import (
	"errors"
	"sync"
	"testing"

	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/mail"
)

func TestRecorder(t *testing.T) {
	t.Parallel()
	var r Recorder
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := r.Send(t.Context(), mail.VerificationCode(locale.English, "a@example.com", "123456")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := r.Send(t.Context(), mail.VerificationCode(locale.English, "b@example.com", "654321")); err != nil {
		t.Fatal(err)
	}
	if n := len(r.Messages()); n != 11 {
		t.Fatalf("recorded %d messages, want 11", n)
	}
	if got := r.To("b@example.com"); len(got) != 1 || got[0].To[0] != "b@example.com" {
		t.Fatalf("To(b) = %v", got)
	}
}

func TestRecorderErr(t *testing.T) {
	t.Parallel()
	boom := errors.New("ses down")
	r := Recorder{Err: boom}
	if err := r.Send(t.Context(), mail.VerificationCode(locale.English, "a@example.com", "123456")); !errors.Is(err, boom) {
		t.Fatalf("Send = %v, want %v", err, boom)
	}
	if len(r.Messages()) != 0 {
		t.Fatal("a failed send was recorded")
	}
}
