package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// The failure limits hold for the rest of their 15-minute window, say so in Retry-After,
// and let attempts through again once the window is over.
func TestLoginFailureWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.source = fmt.Sprintf("198.51.100.%d", randomByte())
	h.clock.advance(time.Minute) // one minute into a window
	wrong := map[string]string{"loginAccount": uniqueName("window"), "password": "not the password at all"}

	for range 5 {
		h.want(h.do(h.api.Login, wrong), http.StatusUnauthorized, "")
	}
	h.want(h.do(h.api.Login, wrong), http.StatusTooManyRequests, "840")
	h.clock.advance(13*time.Minute + 30*time.Second)
	h.want(h.do(h.api.Login, wrong), http.StatusTooManyRequests, "30")
	h.clock.advance(30 * time.Second)
	h.want(h.do(h.api.Login, wrong), http.StatusUnauthorized, "")
}
