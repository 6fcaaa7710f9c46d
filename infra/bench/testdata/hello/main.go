// Command hello is the cold-start baseline of the benchmarks: the smallest
// aws-lambda-go function that answers an HTTP API event, built with the same
// flags as Roster's functions. It is not deployed (it is not in template.yaml).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
