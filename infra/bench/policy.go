package bench

import (
	"slices"
	"strings"
)

// actionOf is the IAM action a recorded call needs, "" for one IAM does not check
// here: Cognito's calls made with the user's own tokens, and TransactWriteItems,
// whose items need the actions of their kind (PutItem, UpdateItem, ...), which the
// proxy does not tell apart.
func actionOf(call string) string {
	service, op, _ := strings.Cut(call, ":")
	switch {
	case service == "dynamodb" && op != "TransactWriteItems":
		return call
	case service == "cognito-idp" && strings.HasPrefix(op, "Admin"):
		return call
	case service == "sesv2":
		return "ses:SendEmail"
	}
	return ""
}

// policyGaps names the calls an operation made that its function's policy does not
// allow: on AWS they would be refused (neither DynamoDB Local nor the emulators check).
func policyGaps(t Tally, allowed map[string]bool) []string {
	var out []string
	for call := range t.Calls {
		if a := actionOf(call); a != "" && !allowed[a] {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
