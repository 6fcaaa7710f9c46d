// Command sdkfloor is the second cold-start baseline of the benchmarks: the hello
// world plus the DynamoDB client, attributevalue and expression, which every Roster
// function links, and nothing of Roster. Its init is the least a Roster function can
// take: the SDK's own package initialisation. Built with a floor_<service> tag
// (cognito.go, sesv2.go) it also links and builds that client: the floor of the
// functions that call that service.
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
)

// The store uses both packages; linking them is part of the floor.
var (
	_ = attributevalue.Marshal
	_ = expression.NewBuilder
)

// clients are the builders of the clients a tag adds.
var clients []func(aws.Config)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION")}
	_ = dynamodb.NewFromConfig(cfg)
	for _, build := range clients {
		build(cfg)
	}
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
