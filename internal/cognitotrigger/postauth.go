// Package cognitotrigger holds the Lambda functions the Cognito user pool calls itself.
package cognitotrigger

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
)

// PostAuthentication records sign-ins made outside Roster's API: through another app
// client of the pool, or the hosted UI. Sign-ins through Roster's own app client are
// the API's (it records them with their address and browser) and are left alone here.
//
// Cognito fails a sign-in whose trigger fails, so bookkeeping trouble is logged and
// the event is always handed back: a missed record must not lock people out.
func PostAuthentication(a *app.App) func(context.Context, events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
	return func(ctx context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
		switch {
		case ev.TriggerSource != "PostAuthentication_Authentication":
			return ev, nil
		case ev.UserPoolID != a.UserPoolID || ev.UserName == "":
			slog.WarnContext(ctx, "post-authentication event of another pool ignored", "userPoolId", ev.UserPoolID)
			return ev, nil
		case ev.CallerContext.ClientID == a.ClientID:
			return ev, nil
		}
		now := a.Now()
		// The Cognito username is the Roster user id (see package identity).
		err := a.Store.RecordLoginEvent(ctx, store.LoginEvent{
			ID:      ids.New(),
			UserID:  ev.UserName,
			At:      now,
			Outcome: store.LoginSucceeded,
			Via:     store.ViaCognito,
		}, a.LoginEventRetention)
		if err == nil {
			err = a.Store.SetLastLogin(ctx, ev.UserName, now)
		}
		if err != nil {
			slog.ErrorContext(ctx, "sign-in outside the API not recorded", "userId", ev.UserName, "error", err.Error())
		}
		return ev, nil
	}
}
