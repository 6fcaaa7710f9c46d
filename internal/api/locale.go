package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/validate"
)

// Emails go out in their reader's language (SPEC.md section 6): an account's locale
// for mail to an account, and for mail to an address no account holds yet (a
// verification code, an invitation) the language the request asks for in
// Accept-Language, which the console sends as its own.

var localeMessage = func() string {
	names := make([]string, len(locale.All))
	for i, l := range locale.All {
		names[i] = string(l)
	}
	return "must be " + strings.Join(names, " or ")
}()

// chosenLocale reads an optional locale field of a new account: the one given, or,
// when it is left out, the request's Accept-Language.
func chosenLocale(f validate.Fields, field string, v *string, req events.APIGatewayV2HTTPRequest) locale.Locale {
	if v == nil {
		return httpapi.Locale(req)
	}
	l := locale.Locale(*v)
	if !l.Valid() {
		f.Add(field, localeMessage)
	}
	return l
}

// nobody is a user id no user has, read in place of an address's holder when it has
// none (see addressLocale).
const nobody = "nobody"

// addressLocale is the language of an email to an address: its account's, when an
// account holds it, else the request's; and whether the address is taken (its claim
// exists, the claim of a half-made user included). It makes the same two reads either
// way, so that a public route that mails the address cannot be timed into telling which
// addresses have accounts. Only a failed read of the claim is an error: a failed read of
// the holder costs the mail its reader's language, not the request.
func (a *API) addressLocale(ctx context.Context, req events.APIGatewayV2HTTPRequest, email string) (locale.Locale, bool, error) {
	id, err := a.Store.EmailHolder(ctx, email)
	if err != nil {
		return "", false, err
	}
	read := id
	if read == "" {
		read = nobody
	}
	if l, ok := a.holderLocale(ctx, read); ok && id != "" {
		return l, true, nil
	}
	return httpapi.Locale(req), id != "", nil
}

// holderLocale is the locale of the user id, and false when there is no such user (one
// deleted or not yet made: the address has no account to speak of) or it could not be
// read.
func (a *API) holderLocale(ctx context.Context, id string) (locale.Locale, bool) {
	u, err := a.Store.User(ctx, id)
	if err != nil {
		if !errors.Is(err, apperr.CodeNotFound) {
			slog.WarnContext(ctx, "could not read an address's account for its language", "userId", id, "error", err.Error())
		}
		return "", false
	}
	return u.Locale, true
}
