// Command no-route answers what no route of the HTTP API takes (its $default route): 405
// with Allow for a method a path does not have, 404 for a path it does not have; see
// template.yaml. It needs no configuration and calls no AWS service.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/openapi"
)

func main() {
	lambda.Start(openapi.NoRoute)
}
