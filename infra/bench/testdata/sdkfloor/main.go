// Command sdkfloor is the second cold-start baseline of the benchmarks: the hello
// world plus the three AWS SDK clients every Roster function builds (DynamoDB,
// Cognito, SES v2), and nothing of Roster. Its init is the least a function can
// take while it links those clients: the SDK's own package initialisation.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION")}
	_ = dynamodb.NewFromConfig(cfg)
	_ = cip.NewFromConfig(cfg)
	_ = sesv2.NewFromConfig(cfg)
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
