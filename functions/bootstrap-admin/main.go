// Command bootstrap-admin creates the one super admin; operators invoke it once.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/bootstrap"
	"github.com/roster-dev/roster/internal/identity/cognito"
)

func main() {
	a, err := app.Load(context.Background(), cognito.Service)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(bootstrap.Handler(a))
}
