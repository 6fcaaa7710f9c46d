// Package apperr holds Roster's one error type: a kind that decides the HTTP status
// and log level, and a stable code that clients switch on.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the class of an error; httpapi maps each kind to one status.
type Kind int

const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	Gone
	RateLimited
)

// Error is what every layer returns for a failure a client should understand.
// Cause is for logs only: it never reaches a response.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration
	Cause      error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool {
	e := As(err)
	return e != nil && e.Code == code
}

func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// InvalidFields is the 400 answer naming every bad field of a request.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Kind: Invalid, Code: "invalid_request", Message: "The request has invalid fields.", Fields: fields}
}

func InvalidRequest(message string) *Error {
	return &Error{Kind: Invalid, Code: "invalid_request", Message: message}
}

func Unauthorized() *Error {
	return &Error{Kind: Unauthenticated, Code: "unauthenticated", Message: "A valid access token is required."}
}

func InvalidCredentials() *Error {
	return &Error{Kind: Unauthenticated, Code: "invalid_credentials", Message: "The login account or password is incorrect."}
}

func Denied() *Error {
	return &Error{Kind: Forbidden, Code: "forbidden", Message: "You are not allowed to do this."}
}

func Frozen() *Error {
	return &Error{Kind: Forbidden, Code: "account_frozen", Message: "This account is frozen."}
}

func Missing(what string) *Error {
	return &Error{Kind: NotFound, Code: "not_found", Message: what + " was not found."}
}

// Taken is a 409 for a unique value already in use; field names the request field.
func Taken(code, field, message string) *Error {
	return &Error{Kind: Conflict, Code: code, Message: message, Fields: map[string]string{field: message}}
}

// Stale is the 409 an optimistic-lock loser gets: it may reload and retry.
func Stale(what string) *Error {
	return &Error{Kind: Conflict, Code: "version_conflict", Message: what + " was changed by someone else; reload and try again."}
}

func Limited(retryAfter time.Duration) *Error {
	return &Error{Kind: RateLimited, Code: "rate_limited", Message: "Too many attempts; try again later.", RetryAfter: retryAfter}
}

// Wrap marks an unexpected failure; the client sees only "internal".
func Wrap(cause error, context string) *Error {
	return &Error{Kind: Internal, Code: "internal", Message: "Something went wrong on our side.", Cause: fmt.Errorf("%s: %w", context, cause)}
}
