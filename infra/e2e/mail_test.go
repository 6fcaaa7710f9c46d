package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The mailbox: what the SES emulator was asked to send, read as a person reads an inbox.

// mail is one email the SES emulator received.
type mail struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

// mailsTo returns every email to addr so far, oldest first.
func mailsTo(t *testing.T, addr string) []mail {
	t.Helper()
	resp, err := httpClient.Get(mailJSONURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sent []mail
	if err := json.NewDecoder(resp.Body).Decode(&sent); err != nil {
		t.Fatal(err)
	}
	var out []mail
	for _, m := range sent {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// nthMailTo waits for the n-th email (from 1) to addr.
func nthMailTo(t *testing.T, addr string, n int) mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := mailsTo(t, addr); len(got) >= n {
			return got[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email #%d to %s", n, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mailTo waits for an email to addr and returns the newest.
func mailTo(t *testing.T, addr string) mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := mailsTo(t, addr); len(got) > 0 {
			return got[len(got)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// settle waits as long as a mail takes to be sent after the request that queued it (the
// stream's poll, the mailer's send, with room to spare), before a test says none came.
func settle() { time.Sleep(2 * time.Second) }

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// codeIn reads the code out of an email, checking that both parts carry it.
func codeIn(t *testing.T, m mail) string {
	t.Helper()
	code := sixDigits.FindString(m.Text)
	if code == "" || !strings.Contains(m.HTML, code) {
		t.Fatalf("email %q carries no code in both parts:\n%s", m.Subject, m.Text)
	}
	return code
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// linkPattern is an invitation link: the stack has no console URL, so links start with
// the API's own address (see links_test.go).
var linkPattern = regexp.MustCompile(regexp.QuoteMeta(apiURL) + `/invitations/([A-Za-z0-9_-]+)`)

// tokenIn is the token of the invitation link in an email's text and HTML.
func tokenIn(t *testing.T, m mail) string {
	t.Helper()
	text, html := linkPattern.FindStringSubmatch(m.Text), linkPattern.FindStringSubmatch(m.HTML)
	if text == nil || html == nil || text[1] != html[1] {
		t.Fatalf("no invitation link in the email %q", m.Subject)
	}
	return text[1]
}
