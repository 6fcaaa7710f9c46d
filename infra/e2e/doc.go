// Package e2e tests the running local stack from outside, as its users reach it: the API
// through its own types (client_test.go), the mail in the SES emulator's mailbox
// (mail_test.go), and, for what the API cannot show or make, the stack's table, user pool
// and functions as an operator reaches them (aws_test.go). `make test` runs it against the
// stack `bin/roster-stack run` starts; it lives beside that harness, in infra/.
package e2e
