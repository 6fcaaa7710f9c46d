// Command bootstrap-admin creates the one super admin; operators invoke it once.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/bootstrap"
	"github.com/roster-dev/roster/internal/identity/cognito"
)

func main() {
	a := app.Load()
	lambda.Start(bootstrap.Handler(a, cognito.Load(a)))
}
