package stack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/roster-dev/roster/infra/provision"
)

func TestSentEmails(t *testing.T) {
	t.Parallel()
	ses := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/store" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"templates":{},"emails":[
			{"messageId":"ses-1","from":"a@x","replyTo":[],"destination":{"to":["b@x","c@x"],"cc":[],"bcc":[]},
			 "subject":"first","body":{"html":"<p>1</p>","text":"1"},"attachments":[],"at":1700000000},
			{"messageId":"ses-2","from":"a@x","destination":{"cc":["d@x"]},"subject":"second","body":{"text":"2"},"at":1700000001}]}`))
	}))
	defer ses.Close()
	mail := httptest.NewServer(mailHandler(ses.URL))
	defer mail.Close()

	resp, err := http.Get(mail.URL + "/emails")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d emails", len(got))
	}
	first, second := got[0], got[1]
	if first["subject"] != "first" || first["text"] != "1" || first["html"] != "<p>1</p>" ||
		strings.Join(toStrings(first["to"]), ",") != "b@x,c@x" || first["sentAt"] != "2023-11-14T22:13:20Z" {
		t.Errorf("first email: %v", first)
	}
	// An email without a To list or an HTML part still has both keys, as a list and a string.
	if to, ok := second["to"].([]any); !ok || len(to) != 0 || second["html"] != "" {
		t.Errorf("second email: %v", second)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// The whole stack: up, usable, and gone without a trace after Close.
func TestStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local stack (-short, make unit)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the leftover-process check reads /proc")
	}
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	ctx := context.Background()
	// The public routes' burst, lowered from the template's default as an operator's override
	// would, so that the throttle check below needs few requests and function instances.
	const publicBurst = 5
	s, err := Start(ctx, Options{
		Root:     root,
		StateDir: state,
		Admin:    Admin{LoginAccount: "admin", Username: "Admin", Email: "admin@roster.local"},
		Parameters: map[string]string{
			"PublicRouteThrottleRateLimit":  "1",
			"PublicRouteThrottleBurstLimit": strconv.Itoa(publicBurst),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Admin.Password) < 12 {
		t.Errorf("generated admin password %q", s.Admin.Password)
	}

	// stack.json holds what ARCHITECTURE.md promises.
	file := filepath.Join(state, "stack.json")
	if err := s.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	var sf map[string]any
	data, _ := os.ReadFile(file)
	if err := json.Unmarshal(data, &sf); err != nil {
		t.Fatal(err)
	}
	admin, _ := sf["admin"].(map[string]any)
	if sf["apiUrl"] != s.APIURL || sf["mailboxUrl"] == "" || sf["mailJsonUrl"] != s.MailJSONURL || sf["sqsEndpoint"] != s.SQSEndpoint ||
		admin["loginAccount"] != "admin" || admin["password"] != s.Admin.Password {
		t.Errorf("stack.json: %s", data)
	}

	// The API signs the bootstrapped admin in through the real login function.
	body, _ := json.Marshal(map[string]string{"loginAccount": s.Admin.LoginAccount, "password": s.Admin.Password})
	resp, err := http.Post(s.APIURL+"/v1/auth/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var tokens map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&tokens)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tokens["accessToken"] == nil {
		t.Errorf("login: %s %v", resp.Status, tokens)
	}
	// The stage's access log, in template.yaml's format (infra/gateway checks its fields).
	if !logHas(s.Logs["access"], `"routeKey":"POST /v1/auth/login","status":"200"`) {
		t.Errorf("the access log has no line for the login: %s", s.Logs["access"])
	}
	// Authenticated routes check the token against moto's keys.
	if resp, err := http.Get(s.APIURL + "/v1/me"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /v1/me without a token: %v %v", resp.Status, err)
	}
	checkThrottled(t, s, publicBurst)
	checkIAMEnforced(t, s)

	// What is sent through SES shows up in the mail JSON.
	ses := sesv2.NewFromConfig(aws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		func(o *sesv2.Options) { o.BaseEndpoint = &s.SESEndpoint })
	_, err = ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(senderEmail),
		Destination:      &sestypes.Destination{ToAddresses: []string{"someone@roster.local"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("stack test")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("hello")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(s.MailJSONURL)
	if err != nil {
		t.Fatal(err)
	}
	var emails []Email
	_ = json.NewDecoder(resp.Body).Decode(&emails)
	resp.Body.Close()
	if n := len(emails); n == 0 || emails[n-1].Subject != "stack test" || emails[n-1].Text != "hello" || emails[n-1].To[0] != "someone@roster.local" {
		t.Errorf("mail JSON: %+v", emails)
	}

	checkSESRestart(t, s)

	if children(t) == 0 {
		t.Fatal("no child process while the stack runs: the leftover check below would prove nothing")
	}
	s.Close()
	// Close stops every process the stack started: emulators, and function processes.
	deadline := time.Now().Add(5 * time.Second)
	for children(t) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := children(t); n > 0 {
		t.Errorf("%d processes started by the stack are still running after Close", n)
	}
	for _, url := range []string{s.APIURL, s.DynamoDBEndpoint, s.CognitoEndpoint, s.SESEndpoint} {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Close", url)
		}
	}
}

// checkThrottled looks up four times the public routes' burst of unknown invitation tokens
// at once, so that the route's bucket (a token a second) cannot refill meanwhile: some get
// API Gateway's 429 without reaching the function, the others the function's 404.
func checkThrottled(t *testing.T, s *Stack, burst int) {
	t.Helper()
	n := 4 * burst
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	url := s.APIURL + "/v1/invitations/" + base64.RawURLEncoding.EncodeToString(key)
	client := &http.Client{Timeout: 30 * time.Second}
	statuses, bodies := make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := client.Get(url)
			if err != nil {
				t.Errorf("look-up %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			statuses[i], bodies[i] = resp.StatusCode, string(body)
		})
	}
	wg.Wait()
	throttled, found := 0, 0
	for i, status := range statuses {
		switch {
		case status == http.StatusTooManyRequests && bodies[i] == `{"message":"Too Many Requests"}`:
			throttled++
		case status == http.StatusNotFound:
			found++
		case status != 0: // 0: the request failed, reported above
			t.Errorf("look-up %d: %d %s; want 404 from the function or the gateway's 429", i, status, bodies[i])
		}
	}
	t.Logf("%d look-ups at once against a burst of %d: %d throttled, %d answered by the function", n, burst, throttled, found)
	if throttled == 0 {
		t.Errorf("%d look-ups at once against a burst limit of %d: none throttled", n, burst)
	}
	if st, _ := s.Gateway().Stats("GetInvitationFunction"); st.Invocations != found {
		t.Errorf("GetInvitationFunction invoked %d times for %d look-ups let through", st.Invocations, found)
	}
}

// children counts live processes whose parent is this test process.
func children(t *testing.T) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	n := 0
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(fields) > 1 && fields[1] == self && fields[0] != "Z" {
			n++
		}
	}
	return n
}

// checkSESRestart stops the SES emulator as an outage would, and starts it again on its port
// with an empty mailbox: the fault tests' handle on it.
func checkSESRestart(t *testing.T, s *Stack) {
	t.Helper()
	ctx := context.Background()
	if err := s.StartSES(ctx); !errors.Is(err, ErrSESState) {
		t.Errorf("StartSES while it runs: %v, want ErrSESState", err)
	}
	if err := s.StopSES(); err != nil {
		t.Fatal(err)
	}
	if _, err := SentEmails(ctx, s.SESEndpoint); err == nil {
		t.Error("the SES emulator still answers after StopSES")
	}
	if err := s.StopSES(); !errors.Is(err, ErrSESState) {
		t.Errorf("StopSES twice: %v, want ErrSESState", err)
	}
	if err := s.StartSES(ctx); err != nil {
		t.Fatal(err)
	}
	if emails, err := SentEmails(ctx, s.SESEndpoint); err != nil || len(emails) != 0 {
		t.Errorf("after StartSES: %d emails, %v; want an empty mailbox", len(emails), err)
	}
}
