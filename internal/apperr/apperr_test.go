package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/roster-dev/roster/internal/apperr"
)

// TestErrorsIsMatchesCodes: errors.Is finds a code anywhere in an error's chain, also
// on a copy of a sentinel; the sentinel itself matches only itself.
func TestErrorsIsMatchesCodes(t *testing.T) {
	t.Parallel()
	sentinel := apperr.Stale("The user")
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"its code", apperr.Missing("User"), apperr.CodeNotFound, true},
		{"another code", apperr.Missing("User"), apperr.CodeVersionConflict, false},
		{"wrapped", fmt.Errorf("read: %w", apperr.Missing("User")), apperr.CodeNotFound, true},
		{"a copy of a sentinel, by code", func() error { c := *sentinel; return &c }(), apperr.CodeVersionConflict, true},
		{"a copy of a sentinel is not the sentinel", func() error { c := *sentinel; return &c }(), sentinel, false},
		{"the sentinel", fmt.Errorf("save: %w", sentinel), sentinel, true},
		{"a plain error", errors.New("not_found"), apperr.CodeNotFound, false},
		{"nil", nil, apperr.CodeNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Fatalf("errors.Is(%v, %v) = %v, want %v", tt.err, tt.target, got, tt.want)
			}
		})
	}
}
