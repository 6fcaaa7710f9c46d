package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/user"
)

// teamView is one of the caller's teams with its roles and effective permissions.
type teamView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Roles       []string `json:"roles"`
	Permissions []string `json:"permissions"`
}

type meView struct {
	User  user.View  `json:"user"`
	Teams []teamView `json:"teams"`
}

// GetMe is GET /v1/me.
func (a *API) GetMe(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	teams, err := a.callerTeams(ctx, me.ID)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, meView{User: me.View(), Teams: teams}), nil
}
