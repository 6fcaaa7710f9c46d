package ses

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/mail"
)

// fakeSES records the SendEmail requests it gets.
type fakeSES struct {
	in  *sesv2.SendEmailInput
	err error
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = in
	if f.err != nil {
		return nil, f.err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String("m-1")}, nil
}

func TestSESSendBuildsSimpleContent(t *testing.T) {
	t.Parallel()
	fake := &fakeSES{}
	s := &SES{client: fake, from: "Roster <no-reply@example.com>"}
	m := mail.Message{To: []string{"ann@example.com"}, Subject: "Hi 张三", Text: "text part", HTML: "<p>html part</p>"}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	in := fake.in
	if got := aws.ToString(in.FromEmailAddress); got != "Roster <no-reply@example.com>" {
		t.Errorf("From = %q", got)
	}
	if in.Destination == nil || !slices.Equal(in.Destination.ToAddresses, m.To) || len(in.Destination.CcAddresses)+len(in.Destination.BccAddresses) != 0 {
		t.Errorf("Destination = %+v, want To %v only", in.Destination, m.To)
	}
	if in.Content == nil || in.Content.Simple == nil || in.Content.Raw != nil || in.Content.Template != nil {
		t.Fatalf("Content = %+v, want Simple only", in.Content)
	}
	simple := in.Content.Simple
	for _, c := range []struct {
		name, want string
		got        *string
		charset    *string
	}{
		{"subject", m.Subject, simple.Subject.Data, simple.Subject.Charset},
		{"text", m.Text, simple.Body.Text.Data, simple.Body.Text.Charset},
		{"html", m.HTML, simple.Body.Html.Data, simple.Body.Html.Charset},
	} {
		if aws.ToString(c.got) != c.want || aws.ToString(c.charset) != "UTF-8" {
			t.Errorf("%s = %q (charset %q), want %q (UTF-8)", c.name, aws.ToString(c.got), aws.ToString(c.charset), c.want)
		}
	}
}

func TestSESSendTextOnly(t *testing.T) {
	t.Parallel()
	fake := &fakeSES{}
	s := &SES{client: fake, from: "no-reply@example.com"}
	if err := s.Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if fake.in.Content.Simple.Body.Html != nil {
		t.Error("an empty HTML part was sent; SES would send an empty alternative")
	}
}

// TestSESSendErrors: what SES will never send is mail.ErrRefused (the mailer gives it
// up at once), what may pass is not (the mailer retries it); no error names the
// recipient or the body.
func TestSESSendErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset by peer")
	throttled := &types.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}
	quota := &types.LimitExceededException{Message: aws.String("Daily message quota exceeded.")}
	cases := []struct {
		name    string
		m       mail.Message
		sendErr error
		wantIs  error
		refused bool
		noCall  bool
	}{
		{name: "no recipient", m: mail.Message{Subject: "s", Text: "t"}, refused: true, noCall: true},
		{name: "no body", m: mail.Message{To: []string{"a@example.com"}, Subject: "s"}, refused: true, noCall: true},
		{name: "network", m: mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "code 123456"}, sendErr: boom, wantIs: boom},
		{name: "throttled", m: mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "code 123456"}, sendErr: throttled, wantIs: throttled},
		{name: "quota", m: mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "code 123456"}, sendErr: quota, wantIs: quota},
		{name: "bad address", m: mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "code 123456"},
			sendErr: &types.BadRequestException{Message: aws.String("Illegal address")}, refused: true},
		{name: "rejected", m: mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "code 123456"},
			sendErr: &types.MessageRejected{Message: aws.String("Email address is not verified.")}, refused: true},
		{name: "sender domain", m: mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "code 123456"},
			sendErr: &types.MailFromDomainNotVerifiedException{Message: aws.String("not verified")}, refused: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeSES{err: tc.sendErr}
			err := (&SES{client: fake, from: "no-reply@example.com"}).Send(t.Context(), tc.m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
			if got := errors.Is(err, mail.ErrRefused); got != tc.refused {
				t.Errorf("refused = %v, want %v (%v)", got, tc.refused, err)
			}
			if tc.noCall && fake.in != nil {
				t.Error("SES was called for a message that cannot be sent")
			}
			for _, secret := range []string{"123456", "a@example.com"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q leaks %q", err, secret)
				}
			}
		})
	}
}

// TestSESEmulator sends a real message through an SES v2 endpoint and reads it
// back from the emulator's store. `make test` starts aws-ses-v2-local and sets
// ROSTER_SES_ENDPOINT; elsewhere there is nothing to send to.
func TestSESEmulator(t *testing.T) {
	endpoint := os.Getenv("ROSTER_SES_ENDPOINT")
	if endpoint == "" {
		t.Skip("ROSTER_SES_ENDPOINT is not set: no SES v2 endpoint (e.g. aws-ses-v2-local) to send to")
	}
	t.Parallel()
	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(endpoint) })
	s := New(client, "Roster <no-reply@roster.test>")

	// A fresh address, so that other tests sharing the emulator cannot match.
	to := "mail-test-" + strings.ToLower(rand.Text()[:10]) + "@roster.test"
	m := mail.Invitation(locale.SimplifiedChinese, to, "Sales 东区 <1>", "Ann", "https://console.roster.test/invitations/tok-1", time.Now().Add(time.Hour))
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}

	got := findStored(t, endpoint, to)
	if got.From != "Roster <no-reply@roster.test>" {
		t.Errorf("from = %q", got.From)
	}
	if got.Subject != m.Subject {
		t.Errorf("subject = %q, want %q", got.Subject, m.Subject)
	}
	if got.Body.Text != m.Text || got.Body.HTML != m.HTML {
		t.Errorf("body differs from what was sent:\ntext %q\nhtml %q", got.Body.Text, got.Body.HTML)
	}
}

// storedEmail is the part of aws-ses-v2-local's GET /store answer this test reads.
type storedEmail struct {
	From        string `json:"from"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
}

func findStored(t *testing.T, endpoint, to string) storedEmail {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.TrimRight(endpoint, "/")+"/store", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /store: %s", resp.Status)
	}
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	var found []storedEmail
	for _, e := range store.Emails {
		if slices.Contains(e.Destination.To, to) {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("emulator holds %d emails to %s, want 1", len(found), to)
	}
	return found[0]
}
