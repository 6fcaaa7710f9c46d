package bench

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets of the brief (issue 6).
const (
	targetInit     = 1.25 // every function's init against the hello world
	targetFloorCPU = 1.10 // every function's on-CPU init against the SDK floor's (issue 18)
	targetDelivery = 2 * time.Second
	targetOverhead = 1.15 // read operations' p50 against the same calls made directly
	targetScale    = 1.20 // a list page at the largest size against the smallest
	targetMix      = 2.50 // dollars per million calls of the admin mix
)

// Write prints the report: one table per operation, the scale table, the cost of the
// admin mix, then the summary of ratios against their targets.
func (res *Result) Write(w io.Writer) error {
	p := &printer{w: w}
	o := res.Options
	p.f("Roster benchmarks, %s UTC, %.0fs\n", res.Started.Format("2006-01-02 15:04"), res.Duration.Seconds())
	p.f("Local stack: the gateway running the real bootstraps, DynamoDB Local, moto (Cognito); %s/%s, %d CPUs.\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	p.f("Times in ms. Cold starts: median of %d. Warm: p50/p99 of %d requests (fewer where set-up is costly).\n\n",
		o.ColdStarts, o.Samples)

	p.f("Operations\n")
	cold := map[string]ColdStart{}
	for _, c := range res.Cold {
		cold[c.Function] = c
	}
	sizes := map[string]Size{}
	for _, s := range res.Sizes {
		sizes[s.Name] = s
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tinit\t×hello\t×floor\tinit CPU\t×hello\t×floor\t×own\t1st call\tMB arm64\tp50\tp99\town p50\tgw floor\tdirect p50\tdirect p99\t×direct\tless gw\ttwin p50\t×twin\tDynamoDB\tCognito\tSES\tRRU\tWRU\t$/M calls\t")
	for _, op := range res.Ops {
		c := cold[op.Function]
		direct, directP99, over, less, twin, overTwin := "-", "-", "-", "-", "-", "-"
		if op.Direct != nil {
			direct, directP99 = msf(op.Direct.P50), msf(op.Direct.P99)
			over = fmt.Sprintf("%.2f", ratio(op.Warm.P50, op.Direct.P50))
			less = fmt.Sprintf("%.2f", lessFloor(op))
			if op.Twin != nil {
				twin, overTwin = msf(op.Twin.P50), fmt.Sprintf("%.2f", ratio(op.Warm.P50, op.Twin.P50))
			}
			if !sameCalls(op.Tally, *op.DirectTally) {
				over += "!"
				less += "!"
				overTwin += "!"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.2f\t\n",
			op.Name, msf(c.Init), ratio(c.Init, res.Hello.Init), ratio(c.Init, res.Floor.Init),
			msf(c.InitCPU), ratio(c.InitCPU, res.Hello.InitCPU), ratio(c.InitCPU, res.Floor.InitCPU),
			ratio(c.InitCPU, res.ownFloor(op.Function).InitCPU), msf(c.First), mb(sizes[op.Function].ARM64),
			msf(op.Warm.P50), msf(op.Warm.P99), msf(op.Own.P50), msf(op.Floor.P50), direct, directP99, over, less, twin, overTwin,
			op.Tally.Count("dynamodb"), op.Tally.Count("cognito-idp"), op.Tally.Count("sesv2"), op.Tally.RRU, op.Tally.WRU, op.Cost.Total())
	}
	for _, name := range res.Unlisted {
		c := cold[name]
		fmt.Fprintf(tw, "%s (sample event)\t%s\t%.2f\t%.2f\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n",
			name, msf(c.Init), ratio(c.Init, res.Hello.Init), ratio(c.Init, res.Floor.Init),
			msf(c.InitCPU), ratio(c.InitCPU, res.Hello.InitCPU), ratio(c.InitCPU, res.Floor.InitCPU),
			ratio(c.InitCPU, res.ownFloor(name).InitCPU), msf(c.First), mb(sizes[name].ARM64))
	}
	// The baselines' rows: name, binary (in sizes), cold start.
	type baseline struct {
		name, size string
		c          ColdStart
	}
	baselines := []baseline{
		{"hello world (aws-lambda-go)", "hello world", res.Hello},
		{"SDK floor (hello + DynamoDB client)", "SDK floor", res.Floor},
	}
	for _, service := range slices.Sorted(maps.Keys(res.ClientFloors)) {
		baselines = append(baselines, baseline{"SDK floor + " + service + " client", "SDK floor + " + service, res.ClientFloors[service]})
	}
	baselines = append(baselines,
		baseline{"SDK floor + tracing, off", "SDK floor + tracing", res.TracingOff},
		baseline{"SDK floor + tracing, on", "SDK floor + tracing", res.TracingOn})
	for _, b := range baselines {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%s\t%.2f\t%.2f\t\t%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n",
			b.name, msf(b.c.Init), ratio(b.c.Init, res.Hello.Init), ratio(b.c.Init, res.Floor.Init),
			msf(b.c.InitCPU), ratio(b.c.InitCPU, res.Hello.InitCPU), ratio(b.c.InitCPU, res.Floor.InitCPU),
			msf(b.c.First), mb(sizes[b.size].ARM64))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p.f(`init: process start until the binary first asks the runtime API for an invocation; 1st
call: that first invocation, handed over until answered. ×floor: init over the SDK floor's,
the hello world that also builds the DynamoDB client, can call it (a GetItem its handler
never makes here) and links attributevalue and expression, as every Roster function does:
what using that SDK alone costs a cold start (its package initialisation, and the binary
that making a call links); functions that call Cognito or SES link those clients on top.
init CPU: the same init's time on a CPU (all threads, from /proc/<pid>/task/*/schedstat),
without the waits for one that a shared machine's load adds; its ×hello and ×floor are the
load-free checks of the wall-clock ratios. ×own: init CPU over that of the SDK floor with the
same SDK clients linked and built (the "SDK floor + ... client" rows; the hello world for a
function that links none): what Roster adds to what the SDK sets.
MB arm64: the deployed binary (native: %s). p50, p99: through the gateway. own p50: the
same requests less the time spent waiting on the emulators (gateway, Lambda runtime,
decoding, authorization, SDK). gw floor: p50 of the hello world through a gateway of its
own, one request after each of the operation's: what the local gateway and runtime API
take, which on AWS API Gateway and Lambda's front end would (the JWT check stays counted
as Roster's). direct: the same DynamoDB and Cognito calls made from Go with Roster's
store and identity code, through the same proxies; ×direct is p50 over direct p50, less gw
is (p50 - gw floor) over direct p50 (a "!" means the calls differ: see below). twin: the
direct calls made instead by a Lambda function of their own (infra/bench/twin.go) through
a gateway of its own, one request after each of the operation's. Like Roster's function,
it is a process woken for its event and for every answer of the emulators, which the gw
floor does not take out; ×twin, p50 over twin p50, is Roster's own cost: the JWT check,
decoding, authorization, validation and encoding. DynamoDB, Cognito, SES: calls per request. RRU, WRU: read and
write request units DynamoDB Local reports (ReturnConsumedCapacity). $/M: dollars per
million calls.
`, nativeSizes(res.Sizes))

	p.f(`SDK floor + tracing: the SDK floor with internal/xray linked and wired as app.Load
wires it (testdata/sdkfloor, floor_tracing), started without TRACING (off: every function by default)
and with TRACING=Active (on: it builds the tracer and connects its socket to the daemon).
Linked and off, its init takes %s ms over the SDK floor's (on a CPU %s) and its binary
%s MB (arm64); on, its init takes %s ms over off (on a CPU %s). A sampled invocation also sends one UDP datagram per
SDK call, which no figure here holds: the local gateway's invocations are not sampled.
internal/xray's BenchmarkInstrument times turning it on alone, and BenchmarkSDKCall a call.
`, msDiff(res.TracingOff.Init, res.Floor.Init), msDiff(res.TracingOff.InitCPU, res.Floor.InitCPU),
		mbDiff(sizes["SDK floor + tracing"].ARM64, sizes["SDK floor"].ARM64),
		msDiff(res.TracingOn.Init, res.TracingOff.Init), msDiff(res.TracingOn.InitCPU, res.TracingOff.InitCPU))
	if len(res.Unlisted) > 0 {
		p.f("No row in infra/bench/ops.go yet, cold start from the sample event only: %s.\n", strings.Join(res.Unlisted, ", "))
	}
	p.f("Gateway floor: the hello world warm through a local gateway over HTTP, p50 %s, p99 %s\n"+
		"over all operations: what the local gateway and the Lambda runtime API add to any request.\n", msf(res.GatewayFloor.P50), msf(res.GatewayFloor.P99))

	p.f("\nCalls per request\n")
	for _, op := range res.Ops {
		p.f("  %-30s %s\n", op.Name, callList(op.Tally))
		if op.DirectTally != nil && !sameCalls(op.Tally, *op.DirectTally) {
			p.f("  %-30s %s\n", "  direct (differs)", callList(*op.DirectTally))
		}
	}

	gaps := 0
	for _, op := range res.Ops {
		if len(op.PolicyGaps) > 0 {
			gaps++
			p.f("  NOT ALLOWED by %s's policy: %s\n", op.Function, strings.Join(op.PolicyGaps, ", "))
		}
	}
	if gaps == 0 {
		p.f("The stack's IAM proxies refused none of the calls above (each function is held to its\n" +
			"policy in template.yaml; see infra/iam).\n")
	}

	if len(res.Scale) > 0 {
		p.f("\nScale: one list page; each size is a table of its own (the seeded users and the admin)\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "list\t"
		for _, pt := range res.Scale[0].At {
			n := count(pt.Users)
			head += fmt.Sprintf("p50 @%s\town p50 @%s\tgw floor @%s\tRRU @%s\t", n, n, n, n)
		}
		fmt.Fprintln(tw, head+"×p50\t×own\t×own less gw\t×RRU\t")
		for _, row := range res.Scale {
			line := row.Name + "\t"
			for _, pt := range row.At {
				line += fmt.Sprintf("%s\t%s\t%s\t%.1f\t", msf(pt.Dist.P50), msf(pt.Own.P50), msf(pt.Floor.P50), pt.RRU)
			}
			first, last := row.At[0], row.At[len(row.At)-1]
			line += fmt.Sprintf("%.2f\t%.2f\t%.2f\t%.2f\t", ratio(last.Dist.P50, first.Dist.P50), ratio(last.Own.P50, first.Own.P50),
				ratio(last.Own.P50-last.Floor.P50, first.Own.P50-first.Floor.P50), safeDiv(last.RRU, first.RRU))
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		p.f(`own p50: latency less the time spent waiting on DynamoDB Local, which keeps the table in
SQLite: its Query time grows with the partition's size, DynamoDB's does not. So ×own and
×RRU show what Roster's design costs at scale; ×p50 mostly shows DynamoDB Local. Every
table is seeded before any is timed; then the lists and sizes are timed in turn, one request
each per round after untimed rounds, with a gateway-floor request after each (gw floor), so
that both sizes see the same machine: ×own less gw leaves out the local gateway's share.
`)
		for _, row := range res.Scale {
			p.f("  %-22s GET %s\n", row.Name, row.Path)
		}
	}

	p.f("\nCost (%s)\n", PricesAsOf)
	for _, l := range PriceLines {
		p.f("  %s\n", l)
	}
	p.f("Lambda's billed duration is taken as the warm p50 through the gateway (an upper bound), at\n" +
		"each function's MemorySize; DynamoDB Local's capacity units are priced as DynamoDB's.\n")
	p.f("Admin mix:")
	for _, part := range res.Mix.Parts {
		p.f(" %s %.0f%%,", part.Op, part.Share*100)
	}
	p.f(" = $%.2f per million calls.\n", res.Mix.PerM)
	if len(res.Mix.Missing) > 0 {
		p.f("Not on main yet, left out of the mix (the rest renormalised): %s.\n", strings.Join(res.Mix.Missing, ", "))
	}

	if d := res.Delivery; d.Mails > 0 {
		p.f("\nMail delivery: from a code request's answer to its email in the mailbox (the table's stream,\n" +
			"the stack's poller at Lambda's four reads a second, the mailer, the SES emulator)\n")
		p.f("  one request at a time (%d)   p50 %s  p99 %s\n", d.One.N, msf(d.One.P50), msf(d.One.P99))
		p.f("  %d requests at once          p50 %s  p99 %s\n", d.Burst.N, msf(d.Burst.P50), msf(d.Burst.P99))
		p.f("  the mailer for those %d mails: %s\n", d.Mails, callList(d.Mailer))
		for _, op := range res.Ops {
			if op.Function == "SendMailFunction" {
				p.f("  the mailer's cost: $%.3f per 1,000 mails (its row above: Lambda $%.3f, DynamoDB $%.3f, SES $%.3f)\n",
					op.Cost.Total()/1000, op.Cost.Lambda/1000, op.Cost.DynamoDB/1000, op.Cost.SES/1000)
			}
		}
	}

	p.f("\nSummary (target in brackets)\n")
	p.f("  operations with calls their IAM policy does not allow  %d  [0]  %s\n", gaps, verdict(gaps == 0))
	worstInit, worstInitFn := 0.0, ""
	for _, c := range res.Cold {
		if r := ratio(c.Init, res.Hello.Init); r > worstInit {
			worstInit, worstInitFn = r, c.Function
		}
	}
	p.f("  cold start init, worst ×hello world   %.2f  %s  [≤ %.2f]  %s\n", worstInit, worstInitFn, targetInit, verdict(worstInit <= targetInit))
	worstCPU, worstCPUFn := 0.0, ""
	for _, c := range res.Cold {
		if r := ratio(c.InitCPU, res.Hello.InitCPU); r > worstCPU {
			worstCPU, worstCPUFn = r, c.Function
		}
	}
	p.f("  (on-CPU init, free of the machine's load, worst ×hello %.2f %s; the SDK floor alone is ×%.2f wall, ×%.2f on-CPU)\n",
		worstCPU, worstCPUFn, ratio(res.Floor.Init, res.Hello.Init), ratio(res.Floor.InitCPU, res.Hello.InitCPU))
	worstFloor, worstFloorFn, worstOwn, worstOwnFn := 0.0, "", 0.0, ""
	for _, c := range res.Cold {
		if r := ratio(c.InitCPU, res.Floor.InitCPU); r > worstFloor {
			worstFloor, worstFloorFn = r, c.Function
		}
		if r := ratio(c.InitCPU, res.ownFloor(c.Function).InitCPU); r > worstOwn {
			worstOwn, worstOwnFn = r, c.Function
		}
	}
	p.f("  cold start on-CPU init, worst ×SDK floor   %.2f  %s  [≤ %.2f]  %s\n", worstFloor, worstFloorFn, targetFloorCPU, verdict(worstFloor <= targetFloorCPU))
	p.f("  cold start on-CPU init, worst ×own floor   %.2f  %s  [≤ %.2f]  %s\n", worstOwn, worstOwnFn, targetFloorCPU, verdict(worstOwn <= targetFloorCPU))
	for _, service := range slices.Sorted(maps.Keys(res.ClientFloors)) {
		p.f("  (linking and building the %s client alone: ×%.2f the SDK floor on-CPU)\n", service, ratio(res.ClientFloors[service].InitCPU, res.Floor.InitCPU))
	}
	if d := res.Delivery; d.Mails > 0 {
		p.f("  mail delivery p99, one at a time   %s  [≤ %s]  %s\n", msf(d.One.P99), msf(targetDelivery), verdict(d.One.P99 <= targetDelivery))
	}
	worstRead, worstReadOp, worstOwnRead, worstOwnReadOp, worstTwin, worstTwinOp := 0.0, "", 0.0, "", 0.0, ""
	for _, op := range res.Ops {
		if op.Read && op.Direct != nil {
			if r := ratio(op.Warm.P50, op.Direct.P50); r > worstRead {
				worstRead, worstReadOp = r, op.Name
			}
			if r := lessFloor(op); r > worstOwnRead {
				worstOwnRead, worstOwnReadOp = r, op.Name
			}
			if op.Twin != nil {
				if r := ratio(op.Warm.P50, op.Twin.P50); r > worstTwin {
					worstTwin, worstTwinOp = r, op.Name
				}
			}
		}
	}
	if worstTwinOp != "" {
		p.f("  read overhead, worst p50 ×twin function  %.2f  %s  [≤ %.2f]  %s\n", worstTwin, worstTwinOp, targetOverhead, verdict(worstTwin <= targetOverhead))
		p.f("  (the same calls made by the bench's own process instead, which no wake-up delays: worst\n"+
			"  (p50 - gw floor) ×direct %.2f %s, p50 ×direct %.2f %s; not the target's measure, see above)\n",
			worstOwnRead, worstOwnReadOp, worstRead, worstReadOp)
	} else {
		p.f("  read overhead, worst (p50 - gw floor) ×direct  %.2f  %s  [≤ %.2f]  %s\n", worstOwnRead, worstOwnReadOp, targetOverhead, verdict(worstOwnRead <= targetOverhead))
		p.f("  read overhead with the local gateway, worst p50 ×direct  %.2f  %s  [≤ %.2f]  %s\n", worstRead, worstReadOp, targetOverhead, verdict(worstRead <= targetOverhead))
	}
	var cognitoReads []string
	for _, op := range res.Ops {
		if op.Read && op.Tally.Count("cognito-idp") > 0 {
			cognitoReads = append(cognitoReads, op.Name)
		}
	}
	p.f("  Cognito calls on read paths           %d  [0]  %s\n", len(cognitoReads), verdict(len(cognitoReads) == 0))
	if len(res.Scale) > 0 {
		worstOwn, worstOwnRow, worstRRU, worstRRURow, worstP50, worstLess := 0.0, "", 0.0, "", 0.0, 0.0
		for _, row := range res.Scale {
			first, last := row.At[0], row.At[len(row.At)-1]
			if r := ratio(last.Own.P50, first.Own.P50); r > worstOwn {
				worstOwn, worstOwnRow = r, row.Name
			}
			worstLess = max(worstLess, ratio(last.Own.P50-last.Floor.P50, first.Own.P50-first.Floor.P50))
			if r := safeDiv(last.RRU, first.RRU); r > worstRRU {
				worstRRU, worstRRURow = r, row.Name
			}
			worstP50 = max(worstP50, ratio(last.Dist.P50, first.Dist.P50))
		}
		sizes := res.Options.ScaleSizes
		at := fmt.Sprintf("@%s ×@%s", count(sizes[len(sizes)-1]), count(sizes[0]))
		p.f("  list page own p50 %s, worst   %.2f  %s  [≤ %.2f]  %s\n", at, worstOwn, worstOwnRow, targetScale, verdict(worstOwn <= targetScale))
		p.f("  list page RRU %s, worst       %.2f  %s  [≤ %.2f]  %s\n", at, worstRRU, worstRRURow, targetScale, verdict(worstRRU <= targetScale))
		p.f("  (list page own p50 less the gateway floor, worst %.2f; p50 with DynamoDB Local's time, worst %.2f: not targets, see above)\n", worstLess, worstP50)
	}
	p.f("  admin mix, $ per million calls        %.2f  [≤ %.2f]  %s\n", res.Mix.PerM, targetMix, verdict(res.Mix.PerM <= targetMix))
	return p.err
}

// lessFloor is Roster's own cost of a read: its p50 less what the local gateway and
// runtime API took for a hello world under the same load, over the direct calls' p50.
func lessFloor(op OpResult) float64 {
	if op.Direct == nil {
		return 0
	}
	return ratio(op.Warm.P50-op.Floor.P50, op.Direct.P50)
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

func msf(d interface{ Microseconds() int64 }) string {
	return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
}

// msDiff is a - b in ms with its sign: what one init takes over another.
func msDiff(a, b time.Duration) string {
	return fmt.Sprintf("%+.1f", float64((a-b).Microseconds())/1000)
}

// mbDiff is a - b in MB with its sign; "-" when either binary was not built.
func mbDiff(a, b int64) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%+.1f", float64(a-b)/(1<<20))
}

func mb(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(n)/(1<<20))
}

func count(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func nativeSizes(sizes []Size) string {
	lo, hi := sizes[0].Native, sizes[0].Native
	for _, s := range sizes {
		lo, hi = min(lo, s.Native), max(hi, s.Native)
	}
	return fmt.Sprintf("%s to %s MB", mb(lo), mb(hi))
}

// sameCalls compares two tallies' calls, action by action.
func sameCalls(a, b Tally) bool {
	if len(a.Calls) != len(b.Calls) {
		return false
	}
	for k, v := range a.Calls {
		if b.Calls[k] != v {
			return false
		}
	}
	return true
}

func callList(t Tally) string {
	if len(t.Calls) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(t.Calls))
	for k := range t.Calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, t.Calls[k])
	}
	return strings.Join(parts, " ")
}
