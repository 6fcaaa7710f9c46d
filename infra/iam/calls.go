package iam

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
)

// The services the local stack fronts, by the name IAM gives their actions.
const (
	DynamoDB = "dynamodb"
	Cognito  = "cognito-idp"
	SES      = "ses"
	// SQS is checked for the calls the local Lambda poller makes with a function's role
	// (on-failure destinations); no function calls SQS through a proxy.
	SQS = "sqs"
)

// Call is one authorization a request needs: Action on one of Resources. A call has more than
// one resource only where AWS picks the resource from state the local stack cannot see (SES
// authorizes a sender on its address identity if that is verified, else on its domain's).
type Call struct {
	Action    string
	Resources []string
}

// Scope is where resources live: the region the caller signed for and the account.
type Scope struct {
	Partition, Region, AccountID string
}

func (s Scope) arn(service, resource string) string {
	return "arn:" + s.Partition + ":" + service + ":" + s.Region + ":" + s.AccountID + ":" + resource
}

// Calls derives the authorizations a request to service needs, as the Service Authorization
// Reference documents them. A call AWS does not authorize with IAM (Cognito's calls made with a
// user's own token or session) needs none. A request it cannot read needs an action no policy
// grants, so that it is refused rather than let through.
func Calls(service string, r *http.Request, body []byte, scope Scope) []Call {
	switch service {
	case DynamoDB:
		return dynamoDBCalls(target(r), body, scope)
	case Cognito:
		return cognitoCalls(target(r), body, scope)
	case SES:
		return sesCalls(r.Method, r.URL.Path, body, scope)
	}
	return []Call{unknown(service, "unknown service")}
}

// unknown is what a request the package cannot read needs: nothing grants it, not even an
// Allow of "*" (Enforcer.Check refuses it before any policy is read).
func unknown(service, what string) Call {
	return Call{Action: unreadable + service + ":" + what, Resources: []string{"*"}}
}

// unreadable starts the action of a call the package could not read.
const unreadable = "unreadable request to "

// target is a JSON protocol's operation name: "DynamoDB_20120810.GetItem" -> "GetItem".
func target(r *http.Request) string {
	t := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}

// --- DynamoDB ------------------------------------------------------------------------------

type dynamoDBRequest struct {
	TableName     string
	IndexName     string
	RequestItems  map[string]json.RawMessage
	TransactItems []map[string]struct {
		TableName string
	}
}

// transactActions maps a transaction item's kind to the action IAM checks for it: there is no
// dynamodb:TransactWriteItems or TransactGetItems action.
var transactActions = map[string]string{
	"ConditionCheck": "dynamodb:ConditionCheckItem",
	"Put":            "dynamodb:PutItem",
	"Update":         "dynamodb:UpdateItem",
	"Delete":         "dynamodb:DeleteItem",
	"Get":            "dynamodb:GetItem",
}

func dynamoDBCalls(op string, body []byte, scope Scope) []Call {
	if op == "" {
		return []Call{unknown(DynamoDB, "no X-Amz-Target")}
	}
	var req dynamoDBRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return []Call{unknown(DynamoDB, op+" with an unreadable body")}
	}
	table := func(name string) string {
		if strings.HasPrefix(name, "arn:") {
			return name // TableName may be the table's ARN
		}
		return scope.arn(DynamoDB, "table/"+name)
	}
	switch op {
	case "TransactWriteItems", "TransactGetItems":
		var out []Call
		for i, item := range req.TransactItems {
			if len(item) != 1 {
				return []Call{unknown(DynamoDB, fmt.Sprintf("%s item %d", op, i))}
			}
			for kind, v := range item {
				action, ok := transactActions[kind]
				if !ok || (op == "TransactGetItems") != (kind == "Get") {
					return []Call{unknown(DynamoDB, op+" item of kind "+kind)}
				}
				out = append(out, Call{Action: action, Resources: []string{table(v.TableName)}})
			}
		}
		return out
	case "BatchGetItem", "BatchWriteItem":
		var out []Call
		for name := range req.RequestItems {
			out = append(out, Call{Action: "dynamodb:" + op, Resources: []string{table(name)}})
		}
		return out
	case "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction":
		// PartiQL needs dynamodb:PartiQL* actions chosen by the statement's verb; Roster uses none.
		return []Call{unknown(DynamoDB, op)}
	}
	if req.TableName == "" {
		return []Call{{Action: "dynamodb:" + op, Resources: []string{"*"}}}
	}
	resource := table(req.TableName)
	if req.IndexName != "" && (op == "Query" || op == "Scan") {
		resource += "/index/" + req.IndexName
	}
	return []Call{{Action: "dynamodb:" + op, Resources: []string{resource}}}
}

// --- Cognito -------------------------------------------------------------------------------

// cognitoUserCalls are the user pool API's operations that AWS does not authorize with IAM:
// they act with a user's access token or an auth session, or are public.
var cognitoUserCalls = map[string]bool{
	"InitiateAuth": true, "RespondToAuthChallenge": true, "SignUp": true, "ConfirmSignUp": true,
	"ResendConfirmationCode": true, "ForgotPassword": true, "ConfirmForgotPassword": true,
	"GetUser": true, "UpdateUserAttributes": true, "DeleteUser": true, "DeleteUserAttributes": true,
	"ChangePassword": true, "GlobalSignOut": true, "RevokeToken": true,
	"AssociateSoftwareToken": true, "VerifySoftwareToken": true, "SetUserMFAPreference": true,
	"SetUserSettings": true, "VerifyUserAttribute": true, "GetUserAttributeVerificationCode": true,
	"ConfirmDevice": true, "ForgetDevice": true, "GetDevice": true, "ListDevices": true,
	"UpdateDeviceStatus": true, "UpdateAuthEventFeedback": true, "GetUserAuthFactors": true,
	"GetTokensFromRefreshToken": true, "StartWebAuthnRegistration": true,
	"CompleteWebAuthnRegistration": true, "ListWebAuthnCredentials": true, "DeleteWebAuthnCredential": true,
}

func cognitoCalls(op string, body []byte, scope Scope) []Call {
	if op == "" {
		return []Call{unknown(Cognito, "no X-Amz-Target")}
	}
	if cognitoUserCalls[op] {
		return nil
	}
	var req struct{ UserPoolId string }
	if err := json.Unmarshal(body, &req); err != nil {
		return []Call{unknown(Cognito, op+" with an unreadable body")}
	}
	resource := "*" // CreateUserPool, ListUserPools: no pool yet
	if req.UserPoolId != "" {
		resource = scope.arn(Cognito, "userpool/"+req.UserPoolId)
	}
	return []Call{{Action: "cognito-idp:" + op, Resources: []string{resource}}}
}

// --- SES v2 --------------------------------------------------------------------------------

// sesSends are SES v2's REST paths that send mail, by the action IAM checks for them.
var sesSends = map[string]string{
	"/v2/email/outbound-emails":      "ses:SendEmail",
	"/v2/email/outbound-bulk-emails": "ses:SendBulkEmail",
}

func sesCalls(method, path string, body []byte, scope Scope) []Call {
	action, ok := sesSends[path]
	if !ok || method != http.MethodPost {
		return []Call{unknown(SES, method+" "+path)}
	}
	var req struct {
		FromEmailAddress            string
		FromEmailAddressIdentityArn string
		ConfigurationSetName        string
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return []Call{unknown(SES, action+" with an unreadable body")}
	}
	var identities []string
	switch {
	case req.FromEmailAddressIdentityArn != "":
		identities = []string{req.FromEmailAddressIdentityArn}
	default:
		addr, err := mail.ParseAddress(req.FromEmailAddress)
		if err != nil {
			return []Call{unknown(SES, action+" from an unreadable address")}
		}
		_, domain, _ := strings.Cut(addr.Address, "@")
		identities = []string{scope.arn(SES, "identity/"+addr.Address), scope.arn(SES, "identity/"+domain)}
	}
	out := []Call{{Action: action, Resources: identities}}
	if req.ConfigurationSetName != "" {
		out = append(out, Call{Action: action, Resources: []string{scope.arn(SES, "configuration-set/"+req.ConfigurationSetName)}})
	}
	return out
}
