package api

import (
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/httpapi"
)

// consoleBase is where every link Roster writes points (invitations, a team's login
// page, the pages its emails send people to): the configured console URL, or, when
// none is (the default: the console is served by Roster itself, on the API's own
// address), the address the request came in on (httpapi.Origin). The API's own
// address cannot be configured instead: giving the functions the HTTP API's URL in
// their environment is a circular reference in CloudFormation.
func (a *API) consoleBase(req events.APIGatewayV2HTTPRequest) string {
	if a.ConsoleURL != "" {
		return strings.TrimRight(a.ConsoleURL, "/")
	}
	return httpapi.Origin(req)
}

// invitationLink is the console's page of an invitation.
func (a *API) invitationLink(req events.APIGatewayV2HTTPRequest, token string) string {
	return a.consoleBase(req) + "/invitations/" + token
}

// teamLoginURL is a team's own sign-in page in the console, for its employees.
func (a *API) teamLoginURL(req events.APIGatewayV2HTTPRequest, teamID string) string {
	return a.consoleBase(req) + "/login?team=" + url.QueryEscape(teamID)
}
