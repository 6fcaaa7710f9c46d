// Command freeze-user serves one route of Roster's HTTP API; see template.yaml.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity/cognito"
)

func main() {
	a, err := app.Load(context.Background(), cognito.Service)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(httpapi.Handle(api.New(a).FreezeUser))
}
