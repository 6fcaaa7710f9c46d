// Command twin is the benchmarks' twin function: the same DynamoDB calls as a read
// operation, made from a Lambda function of the local gateway (see
// infra/bench/twin.go).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/infra/bench"
)

func main() {
	h, err := bench.TwinHandler(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
