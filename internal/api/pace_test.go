package api

import (
	"testing"
	"time"
)

func TestPaceWaitsTheMedianSend(t *testing.T) {
	t.Parallel()
	var p pace
	if got := p.typical(); got != firstSendGuess {
		t.Fatalf("before any send: %v, want %v", got, firstSendGuess)
	}
	// A slow first send (the connection being opened) does not set the pace.
	p.record(400 * time.Millisecond)
	for _, ms := range []int{20, 25, 30} {
		p.record(time.Duration(ms) * time.Millisecond)
	}
	if got := p.typical(); got != 30*time.Millisecond {
		t.Fatalf("typical send = %v, want 30ms", got)
	}
	for range 40 {
		p.record(10 * time.Millisecond)
	}
	if got := p.typical(); got != 10*time.Millisecond {
		t.Fatalf("after many fast sends: %v, want 10ms", got)
	}
}
