// Command sdkfloor is the second cold-start baseline of the benchmarks: the hello
// world plus the DynamoDB client, attributevalue and expression, which every Roster
// function links, and nothing of Roster. Its init is the least a Roster function can
// take: the SDK's own package initialisation. Its handler can make a call with each
// client (never made: the bench's event takes another path), so that what the SDK
// links to make one is linked, as in every function. Built with a floor_<service>
// tag (cognito.go, sesv2.go) it also links, builds and can call that client: the
// floor of the functions that call that service; with floor_tracing (tracing.go),
// internal/xray is linked and wired too.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The store uses both packages; linking them is part of the floor.
var (
	_ = attributevalue.Marshal
	_ = expression.NewBuilder
)

// callPath is the path whose requests make the calls; the bench never sends one.
const callPath = "/call"

// clients build the clients a tag adds, and return a call with each; instrument,
// set by floor_tracing, instruments the configuration before any client is built.
var (
	clients    []func(aws.Config) func(context.Context) error
	instrument = func(*aws.Config) {}
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION")}
	instrument(&cfg)
	db := dynamodb.NewFromConfig(cfg)
	calls := []func(context.Context) error{func(ctx context.Context) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("floor"), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "floor"}, "sk": &types.AttributeValueMemberS{Value: "floor"}}})
		return err
	}}
	for _, build := range clients {
		calls = append(calls, build(cfg))
	}
	lambda.Start(func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		if req.RawPath == callPath {
			for _, call := range calls {
				if err := call(ctx); err != nil {
					return events.APIGatewayV2HTTPResponse{}, err
				}
			}
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
