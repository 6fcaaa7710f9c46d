package store

import (
	"context"

	"github.com/roster-dev/roster/internal/user"
)

// DropSearchItems runs the last step of an edit on its own, so that a test can run it
// late, as a slow edit would.
func (s *Store) DropSearchItems(ctx context.Context, next user.User, terms []string) {
	s.dropSearchItems(ctx, next, terms)
}
