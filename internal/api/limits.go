package api

import (
	"context"
	"log/slog"

	"github.com/roster-dev/roster/internal/store"
)

// giveBack returns the tries of an attempt that turned out not to be what their limits
// count. A try that cannot be given back is only logged: the count stays one too high
// until its window ends, which errs on the safe side.
func (a *API) giveBack(ctx context.Context, tries ...store.Try) {
	if err := a.Store.ReturnAll(ctx, tries); err != nil {
		slog.WarnContext(ctx, "could not give back a rate limit try", "error", err.Error())
	}
}
