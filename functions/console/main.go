// Command console serves Roster's web console (the app in web/, built into web/dist and
// embedded in this binary) on the HTTP API's $default route; see internal/console and
// template.yaml. It needs no configuration and calls no AWS service.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/console"
)

func main() {
	lambda.Start(console.New(site()).Serve)
}
