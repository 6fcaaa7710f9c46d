// Command post-authentication is the user pool's PostAuthentication trigger; see template.yaml.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/cognitotrigger"
)

func main() {
	a, err := app.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(cognitotrigger.PostAuthentication(a))
}
