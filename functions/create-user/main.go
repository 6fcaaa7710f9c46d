// Command create-user serves one route of Roster's HTTP API; see template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity/cognito"
)

func main() {
	a := app.Load()
	lambda.Start(httpapi.Handle(api.NewDirectory(a, cognito.Load(a)).CreateUser))
}
