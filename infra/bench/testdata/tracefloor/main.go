// Command tracefloor is the SDK floor (testdata/sdkfloor) with internal/xray linked and
// wired as app.Load wires it: instrumented when TRACING is Active. The bench starts it
// both ways beside the SDK floor, so that what tracing costs a cold start shows apart
// from the rest of a function: linked and off (every function, by default) against
// the floor, and on against off.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/xray"
)

// As in the SDK floor, the store's two packages are linked.
var (
	_ = attributevalue.Marshal
	_ = expression.NewBuilder
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION")}
	if os.Getenv("TRACING") == xray.Active {
		if err := xray.Instrument(&cfg); err != nil {
			log.Fatal(err)
		}
	}
	_ = dynamodb.NewFromConfig(cfg)
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
