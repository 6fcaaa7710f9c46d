package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/roster-dev/roster/infra/iam"
)

// Tally is what one operation asked of AWS: its calls by service and action, and the
// DynamoDB capacity they consumed.
type Tally struct {
	Calls map[string]int // "dynamodb:GetItem" → count
	RRU   float64        // read request units
	WRU   float64        // write request units
	// Upstream is the time spent waiting on the emulators, for splitting a request's
	// latency into the emulators' part and Roster's own.
	Upstream time.Duration
	// Refused are the calls the stack's IAM proxies refused: "action on resource".
	Refused []string
}

// Count returns the calls made to one service ("dynamodb", "cognito-idp", "sesv2").
func (t Tally) Count(service string) int {
	n := 0
	for k, v := range t.Calls {
		if strings.HasPrefix(k, service+":") {
			n += v
		}
	}
	return n
}

// Ledger books every call the proxies forward under the label in force when it
// arrives: the bench runs one operation at a time and labels it first. A function
// the table's stream invokes (the mailer) runs after the request that queued its work,
// beside whatever the bench does next: its calls are booked under AsyncLabel(function)
// instead, unless the operation running is that function's own.
type Ledger struct {
	mu      sync.Mutex
	label   string
	running string          // the function of the operation labelled, "" for none
	async   map[string]bool // functions invoked by the table's stream
	tallies map[string]*Tally
	// Calls made side by side overlap: Upstream is the time at least one call was
	// out, from the first of a run of overlapping calls to the last one's answer.
	inFlight int
	since    time.Time
}

func NewLedger() *Ledger { return &Ledger{tallies: map[string]*Tally{}, async: map[string]bool{}} }

// AsyncLabel is the label of what a stream-invoked function does on its own.
func AsyncLabel(function string) string { return "async " + function }

// Async books the calls of the functions the table's stream invokes apart (see Ledger).
func (l *Ledger) Async(functions ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, fn := range functions {
		l.async[fn] = true
		l.tallies[AsyncLabel(fn)] = &Tally{Calls: map[string]int{}}
	}
}

// Running names the function of the operation about to be labelled ("" once it is done).
func (l *Ledger) Running(function string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running = function
}

// AsyncTally returns what a stream-invoked function did on its own since Async or the
// last AsyncTally, and starts it afresh.
func (l *Ledger) AsyncTally(function string) Tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tallies[AsyncLabel(function)]
	l.tallies[AsyncLabel(function)] = &Tally{Calls: map[string]int{}}
	if t == nil {
		return Tally{Calls: map[string]int{}}
	}
	return *t
}

// tally is the tally a call by principal is booked to; nil for none. Called locked.
func (l *Ledger) tally(principal string) *Tally {
	if l.async[principal] && principal != l.running {
		return l.tallies[AsyncLabel(principal)]
	}
	return l.tallies[l.label]
}

// Begin books the calls that follow under label, from a clean slate.
func (l *Ledger) Begin(label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.label = label
	l.tallies[label] = &Tally{Calls: map[string]int{}}
}

// End stops booking and answers what label's calls were.
func (l *Ledger) End(label string) Tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.label == label {
		l.label = ""
	}
	if t := l.tallies[label]; t != nil {
		return *t
	}
	return Tally{Calls: map[string]int{}}
}

func (l *Ledger) book(principal, call string, rru, wru float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tally(principal)
	if t == nil {
		return
	}
	if call != "" {
		t.Calls[call]++
	}
	t.RRU += rru
	t.WRU += wru
}

// refused books a call the stack's IAM proxies refused (stack.Options.OnRefusal).
func (l *Ledger) refused(r iam.Refusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.tallies[l.label]; t != nil {
		t.Refused = append(t.Refused, r.Action+" on "+r.Resource)
	}
}

// sent and answered bracket one forwarded call; a stream-invoked function's own calls
// are no time of the operation running.
func (l *Ledger) sent(principal string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.async[principal] && principal != l.running {
		return
	}
	if l.inFlight == 0 {
		l.since = time.Now()
	}
	l.inFlight++
}

func (l *Ledger) answered(principal string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.async[principal] && principal != l.running {
		return
	}
	if l.inFlight--; l.inFlight > 0 {
		return
	}
	if t := l.tallies[l.label]; t != nil {
		t.Upstream += time.Since(l.since)
	}
}

// Proxy sits between the functions (and the bench's direct client) and one
// emulator. It books every call by its X-Amz-Target; for DynamoDB it also asks for
// ReturnConsumedCapacity TOTAL on every request and books the units reported.
type Proxy struct {
	URL     string
	service string
	ledger  *Ledger
	srv     *http.Server
}

// StartProxy serves a proxy to target on a loopback port.
func StartProxy(service, target string, ledger *Ledger) (*Proxy, error) {
	to, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), service: service, ledger: ledger}
	rp := httputil.NewSingleHostReverseProxy(to)
	rp.Transport = &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	rp.ModifyResponse = p.modifyResponse
	p.srv = &http.Server{Handler: p.handler(rp), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func (p *Proxy) Close() error { return p.srv.Close() }

func (p *Proxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := p.service + ":" + action(r)
		if p.service == "dynamodb" && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			body = withConsumedCapacity(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Length", itoa(len(body)))
		}
		who := principal(r)
		p.ledger.book(who, call, 0, 0)
		p.ledger.sent(who)
		next.ServeHTTP(w, r)
		p.ledger.answered(who)
	})
}

// principal is the access key id a request is signed with: each function signs with its
// logical id (see infra/iam), the bench with the stack's own key.
func principal(r *http.Request) string {
	_, rest, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// action names the API call: JSON protocols (DynamoDB, Cognito) carry it in
// X-Amz-Target ("DynamoDB_20120810.GetItem"); REST ones (SES v2) in the path.
func action(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndexByte(t, '.'); i >= 0 {
			return t[i+1:]
		}
		return t
	}
	return r.Method + " " + r.URL.Path
}

// withConsumedCapacity adds ReturnConsumedCapacity TOTAL unless the request asks
// for some already. DynamoDB Local, like DynamoDB, ignores a signature that no
// longer matches the body.
func withConsumedCapacity(body []byte) []byte {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return body
	}
	if _, ok := fields["ReturnConsumedCapacity"]; ok {
		return body
	}
	fields["ReturnConsumedCapacity"] = json.RawMessage(`"TOTAL"`)
	out, err := json.Marshal(fields)
	if err != nil {
		return body
	}
	return out
}

// readActions consume read units; every other DynamoDB action consumes write units.
var readActions = map[string]bool{
	"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "TransactGetItems": true,
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	if p.service != "dynamodb" {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	units := consumedUnits(body)
	who := principal(resp.Request)
	if readActions[action(resp.Request)] {
		p.ledger.book(who, "", units, 0)
	} else {
		p.ledger.book(who, "", 0, units)
	}
	return nil
}

// consumedUnits sums ConsumedCapacity.CapacityUnits, an object for single-item calls
// and Query, a list for batches and transactions.
func consumedUnits(body []byte) float64 {
	var out struct {
		ConsumedCapacity json.RawMessage
	}
	if json.Unmarshal(body, &out) != nil || len(out.ConsumedCapacity) == 0 {
		return 0
	}
	type capacity struct{ CapacityUnits float64 }
	var one capacity
	if json.Unmarshal(out.ConsumedCapacity, &one) == nil {
		return one.CapacityUnits
	}
	var many []capacity
	if json.Unmarshal(out.ConsumedCapacity, &many) != nil {
		return 0
	}
	sum := 0.0
	for _, c := range many {
		sum += c.CapacityUnits
	}
	return sum
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
