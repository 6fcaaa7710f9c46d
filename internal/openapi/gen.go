//go:build ignore

// gen writes openapi.json from openapi.yaml: `go generate ./internal/openapi`.
package main

import (
	"log"
	"os"

	"github.com/roster-dev/roster/internal/openapi/convert"
)

func main() {
	src, err := os.ReadFile("openapi.yaml")
	if err != nil {
		log.Fatal(err)
	}
	out, err := convert.ToJSON(src)
	if err != nil {
		log.Fatalf("openapi.yaml: %v", err)
	}
	if err := os.WriteFile("openapi.json", append(out, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
