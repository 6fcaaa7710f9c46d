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

// Code is the stable name of an error that clients switch on. The values are part of the
// HTTP API (openapi.json lists them), so they never change.
type Code string

const (
	CodeInvalidRequest        Code = "invalid_request"
	CodeUnauthenticated       Code = "unauthenticated"
	CodeInvalidCredentials    Code = "invalid_credentials"
	CodeForbidden             Code = "forbidden"
	CodeAccountFrozen         Code = "account_frozen"
	CodeNotFound              Code = "not_found"
	CodeNoSignInAccount       Code = "no_sign_in_account"
	CodeLoginAccountTaken     Code = "login_account_taken"
	CodeEmailTaken            Code = "email_taken"
	CodeTeamNameTaken         Code = "team_name_taken"
	CodeRoleNameTaken         Code = "role_name_taken"
	CodeCodeTaken             Code = "code_taken"
	CodeAlreadyMember         Code = "already_member"
	CodeRoleInUse             Code = "role_in_use"
	CodeMemberOfTeams         Code = "member_of_teams"
	CodeVersionConflict       Code = "version_conflict"
	CodeSignInAccountExists   Code = "sign_in_account_exists"
	CodeUserCreationAbandoned Code = "user_creation_abandoned"
	CodeUserCreated           Code = "user_created"
	CodeAlreadyBootstrapped   Code = "already_bootstrapped"
	CodeMFAAlreadyEnabled     Code = "mfa_already_enabled"
	CodeMFANotStarted         Code = "mfa_not_started"
	CodeInvitationUsed        Code = "invitation_used"
	CodeInvitationRevoked     Code = "invitation_revoked"
	CodeInvitationExpired     Code = "invitation_expired"
	CodeRateLimited           Code = "rate_limited"
	CodeMethodNotAllowed      Code = "method_not_allowed"
	CodeInternal              Code = "internal"
)

// Error returns the code itself. A Code is an error only to be the target of errors.Is:
// errors.Is(err, CodeNotFound) reports whether err's chain holds an *Error with that code.
func (c Code) Error() string { return string(c) }

// Error is what every layer returns for a failure a client should understand.
// Cause is for logs only: it never reaches a response.
type Error struct {
	Kind       Kind
	Code       Code
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration
	Cause      error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return string(e.Code) + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is e's Code.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func New(kind Kind, code Code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// InvalidFields is the 400 answer naming every bad field of a request.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Kind: Invalid, Code: CodeInvalidRequest, Message: "The request has invalid fields.", Fields: fields}
}

func InvalidRequest(message string) *Error {
	return &Error{Kind: Invalid, Code: CodeInvalidRequest, Message: message}
}

func Unauthorized() *Error {
	return &Error{Kind: Unauthenticated, Code: CodeUnauthenticated, Message: "A valid access token is required."}
}

func InvalidCredentials() *Error {
	return &Error{Kind: Unauthenticated, Code: CodeInvalidCredentials, Message: "The login account or password is incorrect."}
}

func Denied() *Error {
	return &Error{Kind: Forbidden, Code: CodeForbidden, Message: "You are not allowed to do this."}
}

func Frozen() *Error {
	return &Error{Kind: Forbidden, Code: CodeAccountFrozen, Message: "This account is frozen."}
}

func Missing(what string) *Error {
	return &Error{Kind: NotFound, Code: CodeNotFound, Message: what + " was not found."}
}

// Taken is a 409 for a unique value already in use; field names the request field.
func Taken(code Code, field, message string) *Error {
	return &Error{Kind: Conflict, Code: code, Message: message, Fields: map[string]string{field: message}}
}

// Stale is the 409 an optimistic-lock loser gets: it may reload and retry.
func Stale(what string) *Error {
	return &Error{Kind: Conflict, Code: CodeVersionConflict, Message: what + " was changed by someone else; reload and try again."}
}

func Limited(retryAfter time.Duration) *Error {
	return &Error{Kind: RateLimited, Code: CodeRateLimited, Message: "Too many attempts; try again later.", RetryAfter: retryAfter}
}

// Wrap marks an unexpected failure; the client sees only "internal".
func Wrap(cause error, context string) *Error {
	return &Error{Kind: Internal, Code: CodeInternal, Message: "Something went wrong on our side.", Cause: fmt.Errorf("%s: %w", context, cause)}
}
