// Command send-mail is the mailer: the table's stream invokes it with new outbox
// items, which it sends through SES; see internal/outbox and template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/mail/ses"
	"github.com/roster-dev/roster/internal/outbox"
)

func main() {
	a := app.Load()
	lambda.Start(outbox.NewMailer(a, ses.Load(a)).Handle)
}
