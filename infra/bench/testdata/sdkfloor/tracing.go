//go:build floor_tracing

package main

import (
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/roster-dev/roster/internal/xray"
)

// With tracing linked and wired as app.Load wires it: instrumented when TRACING is
// Active. The bench starts it both ways, for what tracing costs a cold start linked
// (every function) and on.
func init() {
	instrument = func(cfg *aws.Config) {
		if os.Getenv("TRACING") == xray.Active {
			if err := xray.Instrument(cfg); err != nil {
				log.Fatal(err)
			}
		}
	}
}
