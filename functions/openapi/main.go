// Command openapi serves GET /v1/openapi.json, the API's OpenAPI document; see template.yaml.
// It needs no configuration and calls no AWS service.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/openapi"
)

func main() {
	lambda.Start(openapi.Handler)
}
