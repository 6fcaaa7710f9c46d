// Command post-authentication is the user pool's PostAuthentication trigger; see template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/cognitotrigger"
)

func main() { lambda.Start(cognitotrigger.PostAuthentication(app.Load())) }
