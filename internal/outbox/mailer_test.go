package outbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/mail/mailtest"
	"github.com/roster-dev/roster/internal/store"
)

// memOutbox is an outbox in memory, as the store keeps it: a sent mail goes, a failed
// one is counted, a given-up one keeps its reason and loses its secret.
type memOutbox struct {
	mu    sync.Mutex
	items map[string]store.Outgoing
	err   error // answered by every call when set
}

func (m *memOutbox) Outgoing(_ context.Context, id string) (store.Outgoing, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.items[id]
	return o, ok, m.err
}

func (m *memOutbox) MailSent(_ context.Context, o store.Outgoing) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	delete(m.items, o.ID)
	return nil
}

func (m *memOutbox) MailAttempted(_ context.Context, o store.Outgoing) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	item := m.items[o.ID]
	item.Attempts++
	m.items[o.ID] = item
	return item.Attempts, m.err
}

func (m *memOutbox) MailGivenUp(_ context.Context, o store.Outgoing, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	item := m.items[o.ID]
	item.Failed, item.Letter.Secret = reason, ""
	m.items[o.ID] = item
	return m.err
}

var queued = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func code(to string) mail.Letter { return mail.VerificationCodeLetter(locale.English, to, "123456") }

// batch puts letters in a fresh outbox and answers the stream event of their keys.
func batch(letters ...mail.Letter) (*memOutbox, events.DynamoDBEvent) {
	o := &memOutbox{items: map[string]store.Outgoing{}}
	var ev events.DynamoDBEvent
	for i, l := range letters {
		id := fmt.Sprintf("mail%02d", i)
		o.items[id] = store.Outgoing{ID: id, Letter: l, QueuedAt: queued}
		ev.Records = append(ev.Records, record("OUTBOX#"+id, i))
	}
	return o, ev
}

func record(pk string, seq int) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
		Keys:           map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute("OUTBOX")},
		SequenceNumber: strconv.Itoa(1000 + seq),
	}}
}

func newMailer(o Outbox, s mail.Sender) (*Mailer, *[]time.Duration) {
	m := New(o, s, func() time.Time { return queued.Add(time.Second) })
	var waits []time.Duration
	m.wait = func(_ context.Context, d time.Duration) { waits = append(waits, d) }
	return m, &waits
}

func failures(resp events.DynamoDBEventResponse) []string {
	var out []string
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestMailerSendsAndRemoves(t *testing.T) {
	t.Parallel()
	o, ev := batch(code("a@example.com"), mail.NoLetter(), code("b@example.com"))
	rec := &mailtest.Recorder{}
	m, _ := newMailer(o, rec)
	resp, err := m.Handle(t.Context(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("answer %+v, %v", resp, err)
	}
	sent := rec.Messages()
	if len(sent) != 2 || sent[0].To[0] != "a@example.com" || sent[1].To[0] != "b@example.com" || !strings.Contains(sent[0].Text, "123456") {
		t.Fatalf("sent %+v", sent)
	}
	if len(o.items) != 0 {
		t.Fatalf("left in the outbox: %+v (NoMail is dropped, the sent removed)", o.items)
	}
	// A retry of the same records (the mapping resumes from a later failure) sends nothing twice.
	if resp, err := m.Handle(t.Context(), ev); err != nil || len(resp.BatchItemFailures) != 0 || len(rec.Messages()) != 2 {
		t.Fatalf("retry: %+v, %v, %d sent", resp, err, len(rec.Messages()))
	}
}

// Throttling fails the record and every later one (SES is likely down for them too),
// counts the attempt, and the next invocation waits before trying again.
func TestMailerRetriesWhatMayPass(t *testing.T) {
	t.Parallel()
	o, ev := batch(code("a@example.com"), code("b@example.com"), code("c@example.com"))
	rec := &mailtest.Recorder{}
	m, waits := newMailer(o, senderFunc(func(ctx context.Context, msg mail.Message) error {
		if msg.To[0] == "b@example.com" {
			return errors.New("TooManyRequestsException: throttled")
		}
		return rec.Send(ctx, msg)
	}))
	resp := must(m.Handle(t.Context(), ev))
	if got := failures(resp); !slices.Equal(got, []string{"1001", "1002"}) {
		t.Fatalf("failures %v, want the throttled record and the one after it", got)
	}
	if len(rec.Messages()) != 1 || o.items["mail01"].Attempts != 1 || o.items["mail02"].Attempts != 0 {
		t.Fatalf("sent %d, attempts %d and %d", len(rec.Messages()), o.items["mail01"].Attempts, o.items["mail02"].Attempts)
	}
	// The retry starts at the failed record, waits for it, and sends both.
	m.sender = rec
	resp = must(m.Handle(t.Context(), events.DynamoDBEvent{Records: ev.Records[1:]}))
	if len(resp.BatchItemFailures) != 0 || len(rec.Messages()) != 3 {
		t.Fatalf("retry: failures %v, %d sent", failures(resp), len(rec.Messages()))
	}
	if !slices.Equal(*waits, []time.Duration{time.Second}) {
		t.Fatalf("waits %v, want one of 1s before the retried mail", *waits)
	}
	if len(o.items) != 0 {
		t.Fatalf("left in the outbox: %+v", o.items)
	}
}

type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }

// A mail that keeps failing is given up at MaxAttempts: recorded, its secret gone, and
// answered as a failure from then on without calling SES, for the dead-letter queue.
func TestMailerGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	o, ev := batch(code("a@example.com"))
	calls := 0
	m, waits := newMailer(o, senderFunc(func(context.Context, mail.Message) error {
		calls++
		return errors.New("dial tcp: connection refused")
	}))
	for range MaxAttempts {
		if got := failures(must(m.Handle(t.Context(), ev))); len(got) != 1 {
			t.Fatalf("failures %v", got)
		}
	}
	item := o.items["mail00"]
	if calls != MaxAttempts || item.Failed == "" || item.Letter.Secret != "" || !strings.Contains(item.Failed, "connection refused") {
		t.Fatalf("%d sends; item %+v: want %d sends, then given up with its reason and no secret", calls, item, MaxAttempts)
	}
	if got := failures(must(m.Handle(t.Context(), ev))); len(got) != 1 || calls != MaxAttempts {
		t.Fatalf("after giving up: failures %v, %d sends", got, calls)
	}
	// 1, 2, 4, 8, 16, then 20 s at most between the tries: about 90 s of SES unreachable.
	want := []time.Duration{1, 2, 4, 8, 16, 20, 20, 20}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(*waits, want) {
		t.Fatalf("waits %v, want %v", *waits, want)
	}
}

// A refusal is given up at once: one send, then failures without sending, so the
// mapping dead-letters it after its retries instead of SES being asked again each time.
func TestMailerRecordsARefusal(t *testing.T) {
	t.Parallel()
	o, ev := batch(code("bad@example.com"), code("good@example.com"))
	rec := &mailtest.Recorder{}
	calls := 0
	m, _ := newMailer(o, senderFunc(func(ctx context.Context, msg mail.Message) error {
		calls++
		if msg.To[0] == "bad@example.com" {
			return fmt.Errorf("%w: send: BadRequestException: Illegal address", mail.ErrRefused)
		}
		return rec.Send(ctx, msg)
	}))
	for range 3 {
		if got := failures(must(m.Handle(t.Context(), ev))); !slices.Equal(got, []string{"1000"}) {
			t.Fatalf("failures %v, want the refused record only", got)
		}
	}
	item := o.items["mail00"]
	if calls != 2 || len(rec.Messages()) != 1 || item.Letter.Secret != "" || !strings.Contains(item.Failed, "Illegal address") {
		t.Fatalf("%d sends, %d delivered, item %+v", calls, len(rec.Messages()), item)
	}
}

// What cannot be rendered (a kind this version does not know, a secret gone) is given
// up as a refusal is; a record of another item, or of one already gone, is no failure.
func TestMailerSkipsWhatIsNotMail(t *testing.T) {
	t.Parallel()
	unknown := mail.Letter{Kind: "carrier_pigeon", To: "a@example.com"}
	stripped := code("b@example.com")
	stripped.Secret = ""
	o, ev := batch(unknown, stripped)
	ev.Records = append(ev.Records, record("USER#someone", 2), record("OUTBOX#gone", 3))
	rec := &mailtest.Recorder{}
	m, _ := newMailer(o, rec)
	if got := failures(must(m.Handle(t.Context(), ev))); !slices.Equal(got, []string{"1000", "1001"}) {
		t.Fatalf("failures %v", got)
	}
	if len(rec.Messages()) != 0 || o.items["mail00"].Failed == "" || o.items["mail01"].Failed == "" {
		t.Fatalf("sent %d; items %+v", len(rec.Messages()), o.items)
	}
}

// The table failing is a failure to retry, never a mail dropped.
func TestMailerRetriesWhenTheTableFails(t *testing.T) {
	t.Parallel()
	o, ev := batch(code("a@example.com"))
	o.err = errors.New("ProvisionedThroughputExceededException")
	m, _ := newMailer(o, &mailtest.Recorder{})
	if got := failures(must(m.Handle(t.Context(), ev))); len(got) != 1 {
		t.Fatalf("failures %v", got)
	}
	o.err = nil
	if got := failures(must(m.Handle(t.Context(), ev))); len(got) != 0 || len(o.items) != 0 {
		t.Fatalf("after: failures %v, items %+v", got, o.items)
	}
}

// A wait never runs past the invocation's deadline less the time a send needs.
func TestMailerPauseKeepsToTheDeadline(t *testing.T) {
	t.Parallel()
	m, waits := newMailer(&memOutbox{}, &mailtest.Recorder{})
	ctx, cancel := context.WithTimeout(t.Context(), sendBudget+3*time.Second)
	defer cancel()
	m.pause(ctx, 20*time.Second)
	if len(*waits) != 1 || (*waits)[0] > 3*time.Second || (*waits)[0] < 2*time.Second {
		t.Fatalf("waits %v, want about 3s", *waits)
	}
	short, cancelShort := context.WithTimeout(t.Context(), time.Second)
	defer cancelShort()
	m.pause(short, 20*time.Second)
	if len(*waits) != 1 {
		t.Fatalf("waited %v with no time to spare", (*waits)[1:])
	}
}

func must(resp events.DynamoDBEventResponse, err error) events.DynamoDBEventResponse {
	if err != nil {
		panic(err)
	}
	return resp
}
