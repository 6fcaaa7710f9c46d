// Command delete-role serves one route of Roster's HTTP API; see template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/httpapi"
)

func main() { lambda.Start(httpapi.Handle(api.New(app.Load()).DeleteRole)) }
