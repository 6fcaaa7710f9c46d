package stack

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/streams"
)

// mailer is the function the table's stream feeds, and its event source mapping.
const (
	mailer        = "SendMailFunction"
	mailerMapping = mailer + "/Outbox"
)

// TestMailFaults runs the outbox's mail through the faults issue 18 names, on a stack of its
// own, one after the other (they share the one shard of the table's stream, which delivers
// in order): SES down for 30 s, the mailer killed mid-batch, the stream's permission taken
// away from the mailer's role, and an address SES refuses for good.
func TestMailFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local stack (-short, make unit)")
	}
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), Options{
		Root:     root,
		StateDir: t.TempDir(),
		Admin:    Admin{LoginAccount: "admin", Username: "Admin", Email: "admin@roster.local"},
		// Fifty code requests in a few seconds: the public routes' throttle is not the subject.
		Parameters: map[string]string{"PublicRouteThrottleRateLimit": "200", "PublicRouteThrottleBurstLimit": "200"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.MailDLQURL == "" || !strings.HasPrefix(s.MailDLQURL, s.SQSEndpoint+"/") {
		t.Fatalf("mail dead-letter queue %q on SQS %s", s.MailDLQURL, s.SQSEndpoint)
	}
	if _, ok := s.StreamStats(mailerMapping); !ok {
		t.Fatalf("no event source mapping %s: %v", mailerMapping, s.Mappings())
	}
	f := &faults{t: t, s: s, run: randomHex()}
	// Each runs only if the one before left the mail flowing.
	for _, step := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"SES down 30 s", f.sesDown},
		{"mailer killed mid-batch", f.mailerKilled},
		{"stream read taken from the role", f.streamReadRefused},
		{"address refused for good", f.addressRefused},
	} {
		if !t.Run(step.name, step.run) {
			break
		}
	}
}

type faults struct {
	t   *testing.T
	s   *Stack
	run string // this run's addresses are <name>-<run>-<n>@roster.local
	ips atomic.Int32
}

// sesDown: with SES stopped for 30 s while 50 mails are queued, every one arrives once it is
// back, none twice, and none is dead-lettered.
func (f *faults) sesDown(t *testing.T) {
	s := f.s
	if err := s.StopSES(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	addrs := f.addresses("outage", 50)
	f.requestCodes(t, addrs)
	t.Logf("50 codes requested in %s with SES down", time.Since(stopped).Round(time.Millisecond))
	time.Sleep(time.Until(stopped.Add(30 * time.Second)))
	if n := f.deadLettered(t); n != 0 {
		t.Fatalf("%d failure records while SES was down", n)
	}
	if err := s.StartSES(context.Background()); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	f.waitForMail(t, addrs, 3*time.Minute)
	t.Logf("all 50 mails in the mailbox %s after SES came back (%s after the first request)",
		time.Since(back).Round(time.Millisecond), time.Since(stopped).Round(time.Millisecond))
	time.Sleep(3 * time.Second) // room for a second copy to show
	got := f.counts(t, addrs)
	for _, a := range addrs {
		if got[a] != 1 {
			t.Errorf("%s got %d mails, want 1", a, got[a])
		}
	}
	if n := f.deadLettered(t); n != 0 {
		t.Errorf("%d failure records", n)
	}
	st, _ := s.StreamStats(mailerMapping)
	t.Logf("mapping after the outage: %+v", st)
}

// mailerKilled: the mailer's process killed while it sends a batch loses nothing: the batch
// is retried, and what the killed invocation had sent may be sent again (at least once).
func (f *faults) mailerKilled(t *testing.T) {
	s := f.s
	// A slow SES keeps a batch of ten in flight for seconds: long enough to kill it midway.
	s.SlowSES(400 * time.Millisecond)
	addrs := f.addresses("killed", 10)
	f.requestCodes(t, addrs)
	var killedAt int
	deadline := time.Now().Add(30 * time.Second)
	for killedAt == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no mail of the batch arrived within 30 s")
		}
		if n := total(f.counts(t, addrs)); n > 0 && n < len(addrs) {
			pids := s.Gateway().Pids(mailer)
			for _, pid := range pids {
				_ = syscall.Kill(-pid, syscall.SIGKILL) // its process group: the mailer and anything it started
			}
			if len(pids) > 0 {
				killedAt = n
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.SlowSES(0)
	f.waitForMail(t, addrs, time.Minute)
	time.Sleep(2 * time.Second)
	got := f.counts(t, addrs)
	twice := 0
	for _, a := range addrs {
		if got[a] > 1 {
			twice++
		}
	}
	t.Logf("killed the mailer after %d of %d mails; all arrived, %d of them twice (delivery is at least once)", killedAt, len(addrs), twice)
	if twice > 1 {
		t.Errorf("%d mails sent twice: only the one in flight when the mailer died may be", twice)
	}
	if n := f.deadLettered(t); n != 0 {
		t.Errorf("%d failure records", n)
	}
	if !logHas(s.Logs["gateway"], "Runtime.ExitError") {
		t.Error("the gateway log does not show the killed invocation")
	}
}

// streamReadRefused: without dynamodb:GetRecords the mailer's mapping reads nothing, as
// Lambda could not with that role; the mail waits in the stream and goes once the
// permission is back.
func (f *faults) streamReadRefused(t *testing.T) {
	s := f.s
	full, ok := s.IAM().Policy(mailer)
	if !ok {
		t.Fatalf("no policy for %s", mailer)
	}
	s.IAM().SetPolicy(mailer, full.Without("dynamodb:GetRecords"))
	restored := false
	defer func() {
		if !restored {
			s.IAM().SetPolicy(mailer, full)
		}
	}()
	addrs := f.addresses("refusedread", 3)
	f.requestCodes(t, addrs)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, _ := s.StreamStats(mailerMapping)
		if strings.Contains(st.LastProcessingResult, "not authorized to perform: dynamodb:GetRecords") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refusal: %+v", st)
		}
	}
	time.Sleep(2 * time.Second)
	if n := total(f.counts(t, addrs)); n != 0 {
		t.Fatalf("%d mails sent while the role may not read the stream", n)
	}
	want := "User: arn:aws:sts::" + AccountID + ":assumed-role/" + mailer + "Role/" + mailer + " is not authorized to perform: dynamodb:GetRecords"
	if !logHas(s.Logs["gateway"], want) {
		t.Errorf("the gateway log does not name the refusal: %q", want)
	}
	s.IAM().SetPolicy(mailer, full)
	restored = true
	f.waitForMail(t, addrs, 30*time.Second)
}

// addressRefused: an address SES refuses for good is sent once, recorded on its invitation
// as failed, answered as a failure on each retry without calling SES again, and
// dead-lettered once the mapping's retries are spent; the mail behind it goes on.
func (f *faults) addressRefused(t *testing.T) {
	s := f.s
	bad := f.addresses("refused", 1)[0]
	s.RefuseRecipient(bad)
	admin := f.signIn(t)
	r := f.call(t, admin, "POST", "/v1/teams", map[string]any{"name": "Faults " + f.run})
	if r.status != http.StatusCreated {
		t.Fatalf("POST /v1/teams: %d %v", r.status, r.body)
	}
	links := "/v1/teams/" + r.body["id"].(string) + "/invitations"
	r = f.call(t, admin, "POST", links, map[string]any{"email": bad, "roleIds": []string{"member"}})
	if r.status != http.StatusCreated || r.body["emailed"] != "queued" {
		t.Fatalf("POST %s: %d %v", links, r.status, r.body)
	}
	invitation := r.body["id"].(string)
	queued := time.Now()
	behind := f.addresses("behind", 1)
	f.requestCodes(t, behind)

	dl := f.receiveDeadLetters(t, 1, 3*time.Minute)
	t.Logf("dead-lettered %s after the invitation: %+v", time.Since(queued).Round(time.Millisecond), dl[0])
	info := dl[0].BatchInfo
	if c := dl[0].RequestContext; c.Condition != "RetryAttemptsExhausted" || c.FunctionARN != "arn:aws:lambda:"+Region+":"+AccountID+":function:"+mailer ||
		info.BatchSize < 1 || !strings.HasPrefix(info.StreamARN, "arn:aws:dynamodb:"+Region+":"+AccountID+":table/"+s.TableName+"/stream/") {
		t.Errorf("failure record %+v", dl[0])
	}
	if n := s.Refusals(bad); n != 1 {
		t.Errorf("SES was asked %d times to send to the refused address, want once", n)
	}
	var state any
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && state != "failed"; time.Sleep(200 * time.Millisecond) {
		r = f.call(t, admin, "GET", links, nil)
		items, _ := r.body["items"].([]any)
		for _, it := range items {
			if inv, _ := it.(map[string]any); inv["id"] == invitation {
				state = inv["emailed"]
			}
		}
	}
	if state != "failed" {
		t.Errorf("the invitation's emailed is %v, want failed", state)
	}
	f.waitForMail(t, behind, 30*time.Second)
	// Not retried for ever: once dead-lettered, nothing more reaches the function for it.
	st, _ := s.StreamStats(mailerMapping)
	time.Sleep(3 * time.Second)
	if later, _ := s.StreamStats(mailerMapping); later.Invocations != st.Invocations {
		t.Errorf("the mailer was invoked %d more times after the failure record", later.Invocations-st.Invocations)
	}
	if st.DeadLettered < 1 {
		t.Errorf("mapping stats %+v", st)
	}
}

// addresses are n new addresses of this run.
func (f *faults) addresses(name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%s-%d@roster.local", name, f.run, i)
	}
	return out
}

// requestCodes asks a registration code for each address, from as many source addresses as
// the per-IP code limit (20 in 15 minutes) needs.
func (f *faults) requestCodes(t *testing.T, addrs []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(addrs))
	for i := 0; i < len(addrs); i += 10 {
		client := clientFrom(fmt.Sprintf("127.0.9.%d", f.ips.Add(1)))
		for _, a := range addrs[i:min(i+10, len(addrs))] {
			wg.Go(func() {
				body, _ := json.Marshal(map[string]string{"email": a})
				resp, err := client.Post(f.s.APIURL+"/v1/auth/verification-codes", "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					errs <- fmt.Errorf("code for %s: %s", a, resp.Status)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// clientFrom is a client whose requests leave from a loopback address of its own, which
// the gateway reports as their source IP.
func clientFrom(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext}}
}

// counts returns how many mails each address has in the mailbox.
func (f *faults) counts(t *testing.T, addrs []string) map[string]int {
	t.Helper()
	emails, err := SentEmails(context.Background(), f.s.SESEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, a := range addrs {
		want[a] = true
	}
	out := map[string]int{}
	for _, e := range emails {
		for _, to := range e.To {
			if want[to] {
				out[to]++
			}
		}
	}
	return out
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// waitForMail waits until every address has a mail.
func (f *faults) waitForMail(t *testing.T, addrs []string, limit time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
		got := f.counts(t, addrs)
		if len(got) == len(addrs) {
			return
		}
		if time.Now().After(deadline) {
			st, _ := f.s.StreamStats(mailerMapping)
			t.Fatalf("after %s, %d of %d addresses have mail; mapping %+v", limit, len(got), len(addrs), st)
		}
	}
}

func (f *faults) sqs() *sqs.Client {
	return sqs.NewFromConfig(aws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretKey, "")},
		func(o *sqs.Options) { o.BaseEndpoint = &f.s.SQSEndpoint })
}

// deadLettered counts the failure records in the mail dead-letter queue, leaving them there.
func (f *faults) deadLettered(t *testing.T) int {
	t.Helper()
	out, err := f.sqs().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &f.s.MailDLQURL,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	visible, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	hidden, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible + hidden
}

// receiveDeadLetters waits for n failure records in the mail dead-letter queue.
func (f *faults) receiveDeadLetters(t *testing.T, n int, limit time.Duration) []streams.FailureRecord {
	t.Helper()
	var out []streams.FailureRecord
	for deadline := time.Now().Add(limit); len(out) < n; {
		if time.Now().After(deadline) {
			st, _ := f.s.StreamStats(mailerMapping)
			t.Fatalf("%d of %d failure records after %s; mapping %+v", len(out), n, limit, st)
		}
		msgs, err := f.sqs().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &f.s.MailDLQURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			var fr streams.FailureRecord
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &fr); err != nil {
				t.Fatalf("not a failure record: %s", aws.ToString(m.Body))
			}
			out = append(out, fr)
		}
	}
	return out
}

type apiAnswer struct {
	status int
	body   map[string]any
}

func (f *faults) call(t *testing.T, token, method, path string, body any) apiAnswer {
	t.Helper()
	var reader *bytes.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	} else {
		reader = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, f.s.APIURL+path, reader)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return apiAnswer{resp.StatusCode, out}
}

func (f *faults) signIn(t *testing.T) string { return signIn(t, f.s) }

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
