package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/validate"
)

// giveBack returns the tries of an attempt that turned out not to be what their limits
// count. A try that cannot be given back is only logged: the count stays one too high
// until its window ends, which errs on the safe side.
func (a *API) giveBack(ctx context.Context, tries ...store.Try) {
	if err := a.Store.ReturnAll(ctx, tries); err != nil {
		slog.WarnContext(ctx, "could not give back a rate limit try", "error", err.Error())
	}
}

// Mail that a team manager or an admin causes (invitation links, resent links,
// temporary passwords) goes to an address the sender typed, under a team name or
// username it chose: without a limit, a manager could mail anyone in a loop. Each such
// email takes a try per recipient address, whoever sends, and per sender: the team on
// team routes, the admin on platform routes.
var (
	mailsPerAddress = store.Limit{Name: "mails-address", Max: 10, Window: 24 * time.Hour}
	mailsPerSender  = store.Limit{Name: "mails-sender", Max: 100, Window: time.Hour}
)

// teamSender and adminSender name who causes an email, for mailsPerSender.
func teamSender(teamID string) string  { return "team:" + teamID }
func adminSender(userID string) string { return "user:" + userID }

// takeMailTries takes an email's tries before the change that sends it, so that a
// refused email changes nothing. The caller gives them back if the change fails.
func (a *API) takeMailTries(ctx context.Context, sender, address string) (store.Tries, error) {
	return a.Store.TakeAll(ctx, a.Now(),
		store.On{Limit: mailsPerSender, Subject: sender},
		store.On{Limit: mailsPerAddress, Subject: validate.Fold(address)})
}
