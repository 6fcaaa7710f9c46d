// Command bench runs Roster's benchmarks against a fresh local stack (`make bench`)
// and prints one report; with -out it also writes the report there. It measures and
// prints; it never fails on a time. See infra/bench.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/roster-dev/roster/infra/bench"
	"github.com/roster-dev/roster/infra/provision"
)

func main() {
	opts := bench.Options{Progress: os.Stderr}
	flag.IntVar(&opts.ColdStarts, "cold", 40, "cold starts per function")
	flag.IntVar(&opts.Samples, "samples", 200, "warm requests per operation")
	flag.IntVar(&opts.ScaleSamples, "scale-samples", 200, "requests per list page and size")
	sizes := flag.String("sizes", "1000,100000", "seeded user counts for the scale table, ascending; empty for none")
	flag.StringVar(&opts.HelloBinary, "hello", "bin/bench-hello/bootstrap", "the hello-world bootstrap")
	flag.StringVar(&opts.FloorBinary, "floor", "bin/bench-sdkfloor/bootstrap", "the SDK-floor bootstrap")
	flag.StringVar(&opts.TraceFloorBinary, "tracefloor", "bin/bench-sdkfloor-tracing/bootstrap", "the SDK floor with internal/xray linked")
	opts.ClientFloors = map[string]string{ // testdata/sdkfloor's build tags: Makefile
		"cognitoidentityprovider": "bin/bench-sdkfloor-cognitoidentityprovider/bootstrap",
		"sesv2":                   "bin/bench-sdkfloor-sesv2/bootstrap",
	}
	flag.StringVar(&opts.TwinBinary, "twin", "bin/bench-twin/bootstrap", "the twin function's bootstrap")
	out := flag.String("out", "", "also write the report to this file")
	flag.Parse()

	root, err := provision.RepoRoot()
	if err != nil {
		fail(err)
	}
	opts.Root = root
	for _, path := range []*string{&opts.HelloBinary, &opts.FloorBinary, &opts.TraceFloorBinary, &opts.TwinBinary} {
		if !filepath.IsAbs(*path) {
			*path = filepath.Join(root, *path)
		}
	}
	for service, path := range opts.ClientFloors {
		opts.ClientFloors[service] = filepath.Join(root, path)
	}
	for _, s := range strings.Split(*sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || (len(opts.ScaleSizes) > 0 && n <= opts.ScaleSizes[len(opts.ScaleSizes)-1]) {
			fail(fmt.Errorf("-sizes %q: want ascending positive counts", *sizes))
		}
		opts.ScaleSizes = append(opts.ScaleSizes, n)
	}
	opts.StateDir, err = os.MkdirTemp(filepath.Join(root, ".dev"), "bench-")
	if err != nil {
		if err = os.MkdirAll(filepath.Join(root, ".dev"), 0o755); err == nil {
			opts.StateDir, err = os.MkdirTemp(filepath.Join(root, ".dev"), "bench-")
		}
		if err != nil {
			fail(err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: logs kept in %s\n", filepath.Join(opts.StateDir, "logs"))
		fail(err)
	}
	_ = os.RemoveAll(opts.StateDir)

	var buf bytes.Buffer
	if err := res.Write(&buf); err != nil {
		fail(err)
	}
	_, _ = io.Copy(os.Stdout, bytes.NewReader(buf.Bytes()))
	if *out != "" {
		doc := fmt.Sprintf("# Benchmark figures\n\nThe latest `make bench` run (%s), rewritten by every run; README.md says what the figures mean.\n\n```text\n%s```\n",
			time.Now().UTC().Format("2006-01-02"), buf.String())
		if err := os.WriteFile(*out, []byte(doc), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench: "+err.Error())
	os.Exit(1)
}
