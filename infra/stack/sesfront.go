package stack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// sesFront stands between the functions and the SES emulator, to give fault tests what the
// emulator cannot: a recipient SES refuses for good, and a slow SES. Everything else passes
// through untouched; the mailbox page and /store are read from the emulator directly.
type sesFront struct {
	proxy *httputil.ReverseProxy

	mu      sync.Mutex
	refused map[string]int // lower-cased recipients SES refuses: how many sends it refused
	delay   time.Duration
}

func newSESFront(emulatorURL string) (*sesFront, error) {
	to, err := url.Parse(emulatorURL)
	if err != nil {
		return nil, err
	}
	return &sesFront{proxy: httputil.NewSingleHostReverseProxy(to), refused: map[string]int{}}, nil
}

// sendPath is SES v2's SendEmail.
const sendPath = "/v2/email/outbound-emails"

func (f *sesFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != sendPath {
		f.proxy.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadGateway)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.mu.Lock()
	delay := f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if addr := f.refusedRecipient(body); addr != "" {
		// What SES answers, in its sandbox, for a recipient that is not a verified identity:
		// a refusal no retry will change.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "Email address is not verified. The following identities failed the check in region " +
			strings.ToUpper(Region) + ": " + addr})
		return
	}
	f.proxy.ServeHTTP(w, r)
}

// refusedRecipient is the first recipient of a SendEmail request that SES is to refuse.
func (f *sesFront) refusedRecipient(body []byte) string {
	var req struct {
		Destination struct{ ToAddresses, CcAddresses, BccAddresses []string }
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d := req.Destination
	for _, list := range [][]string{d.ToAddresses, d.CcAddresses, d.BccAddresses} {
		for _, a := range list {
			if n, ok := f.refused[strings.ToLower(a)]; ok {
				f.refused[strings.ToLower(a)] = n + 1
				return a
			}
		}
	}
	return ""
}

// RefuseRecipient makes SES refuse every message to address for good (MessageRejected, as
// SES's sandbox refuses an unverified recipient), until the stack stops.
func (s *Stack) RefuseRecipient(address string) {
	s.sesFront.mu.Lock()
	defer s.sesFront.mu.Unlock()
	s.sesFront.refused[strings.ToLower(address)] = 0
}

// Refusals returns how many sends to address SES refused since RefuseRecipient.
func (s *Stack) Refusals(address string) int {
	s.sesFront.mu.Lock()
	defer s.sesFront.mu.Unlock()
	return s.sesFront.refused[strings.ToLower(address)]
}

// SlowSES makes every SendEmail from a function wait d before it reaches SES; 0 ends it.
func (s *Stack) SlowSES(d time.Duration) {
	s.sesFront.mu.Lock()
	defer s.sesFront.mu.Unlock()
	s.sesFront.delay = d
}
