package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

type verificationCodeRequest struct {
	Email string `json:"email"`
}

// SendVerificationCode is POST /v1/auth/verification-codes. The answer is the same
// 202 whether or not the address is registered: a free address gets a code, a taken
// one a notice that someone tried to register with it, which keeps the owner informed
// without telling the asker anything. A taken address still gets a code item (whose
// code is never sent), so the re-send rule answers alike too.
func (a *API) SendVerificationCode(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in verificationCodeRequest
	f := httpapi.Decode(req, &in)
	email := validate.Email(f, "email", in.Email)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	// A registered address's notice is in its account's language, a code in the
	// language the request asks for.
	lang, taken, err := a.addressLocale(ctx, req, email)
	if err != nil {
		return httpapi.Response{}, err
	}
	err = a.sendCode(ctx, req, codeSend{
		code:    registrationCode(email),
		limit:   codesPerEmail,
		limitOn: validate.Fold(email),
		letter: func(secret string) mail.Letter {
			if taken {
				return mail.RegistrationAttemptLetter(lang, email, a.consoleBase(req))
			}
			return mail.VerificationCodeLetter(lang, email, secret)
		},
	})
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusAccepted, accepted{"If the address can be registered, a verification code has been sent to it."}), nil
}

func registrationCode(email string) store.Code {
	folded := validate.Fold(email)
	return store.Code{Purpose: store.RegistrationCode, Subject: folded, Email: folded}
}

type registerRequest struct {
	Username         string `json:"username"`
	LoginAccount     string `json:"loginAccount"`
	Password         string `json:"password"`
	ConfirmPassword  string `json:"confirmPassword"`
	Email            string `json:"email"`
	VerificationCode string `json:"verificationCode"`
	InvitationCode   string `json:"invitationCode"`
	InvitationToken  string `json:"invitationToken"`
	// Locale is the language the account's emails are in; left out, the request's
	// Accept-Language.
	Locale *string `json:"locale"`
}

type registered struct {
	User user.View `json:"user"`
	// Membership is the team joined through an invitation, if any.
	Membership *memberView `json:"membership,omitempty"`
}

// Registering answers 409 when the login account (or address) is taken, which tells the
// holder of an address's code who has an account; the code is given back so that the
// person can pick another name. So such answers are limited, per address (the code is
// the address's: a new code does not start afresh) and per source IP, in 15 minutes:
// enough for a person looking for a free name, too few to map the accounts.
var (
	registerProbesPerAddress = store.Limit{Name: "register-probes-address", Max: 5, Window: 15 * time.Minute}
	registerProbesPerIP      = store.Limit{Name: "register-probes-ip", Max: 20, Window: 15 * time.Minute}
)

// Register is POST /v1/auth/register: a person creates its own member account, with
// no team, and a password of its own choosing, so the first sign-in asks for nothing.
//
// The steps: check every field; prove the email address; create the account. A step
// that takes something (a code) registers how to give it back, and a failure of a
// later step gives everything back, so a taken login account costs the person no
// code. More steps (an invitation to redeem) follow the same pattern.
func (a *Directory) Register(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in registerRequest
	f := httpapi.Decode(req, &in)
	u := selfRegistered(f, req, in, a.Now())
	invite, inviteErr := a.readRegistrationInvite(ctx, f, in.InvitationCode, in.InvitationToken, u.Email)
	// An unusable invitation is the answer (once the other fields are good), rather
	// than a verification code it would have spared.
	var secret string
	if (inviteErr == nil && !invite.provesEmail()) || in.VerificationCode != "" {
		secret = validate.VerificationCode(f, "verificationCode", in.VerificationCode)
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	if inviteErr != nil {
		return httpapi.Response{}, inviteErr
	}

	var undo rollback
	// The code is checked before anything is written or any uniqueness is tested, so
	// that only someone holding the address's code learns whether it is taken. A link
	// sent to the address proves it instead.
	if !invite.provesEmail() {
		code, err := a.redeemCode(ctx, registrationCode(u.Email), secret, "verificationCode")
		if err != nil {
			return httpapi.Response{}, err
		}
		undo.add(func(ctx context.Context) { a.restoreCode(ctx, code) })
	}
	u.EmailVerified = true
	if err := a.checkRegistrationInvite(ctx, &invite, u.Email, httpapi.SourceIP(req)); err != nil {
		undo.run(ctx)
		return httpapi.Response{}, err
	}

	// Each answer that a login account or address is taken is a probe of who has an
	// account: its try is taken before the write, so the limits hold under concurrency,
	// and kept only when the answer is such a conflict.
	probes, err := a.Store.TakeAll(ctx, a.Now(),
		store.On{Limit: registerProbesPerAddress, Subject: validate.Fold(u.Email)},
		store.On{Limit: registerProbesPerIP, Subject: httpapi.SourceIP(req)})
	if err != nil {
		undo.run(ctx)
		return httpapi.Response{}, err
	}
	err = a.Accounts.Create(ctx, accounts.NewAccount{User: u, Password: in.Password, Permanent: true})
	if e := apperr.As(err); e == nil || e.Kind != apperr.Conflict {
		a.giveBack(ctx, probes...)
	}
	if err != nil {
		undo.run(ctx)
		return httpapi.Response{}, err
	}
	undo.add(func(ctx context.Context) {
		if err := a.Accounts.Discard(ctx, u); err != nil {
			slog.ErrorContext(ctx, "could not remove a registration whose invitation failed", "userId", u.ID, "error", err.Error())
		}
	})
	// Registering through an invitation is joining: if the invitation was used up
	// meanwhile, the account goes again and the person may retry without it.
	membership, err := a.joinRegistered(ctx, u, invite)
	if err != nil {
		undo.run(ctx)
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, registered{User: u.View(), Membership: membership}), nil
}

// selfRegistered checks the account fields of a registration into a new member.
func selfRegistered(f validate.Fields, req events.APIGatewayV2HTTPRequest, in registerRequest, now time.Time) user.User {
	u := user.User{
		ID:          ids.New(),
		Username:    validate.Username(f, "username", in.Username),
		AccountType: user.Member,
		Status:      user.Active,
		CreatedAt:   now,
	}
	u.LoginAccount = validate.LoginAccount(f, "loginAccount", in.LoginAccount)
	validate.Password(f, "password", in.Password, u.LoginAccount)
	switch {
	case in.ConfirmPassword == "":
		f.Add("confirmPassword", "is required")
	case in.ConfirmPassword != in.Password:
		f.Add("confirmPassword", "must be the same as password")
	}
	u.Email = validate.Email(f, "email", in.Email)
	u.Locale = chosenLocale(f, "locale", in.Locale, req)
	return u
}

// rollback gives back what the finished steps of a failed operation took, the most
// recent first.
type rollback []func(context.Context)

func (r *rollback) add(step func(context.Context)) { *r = append(*r, step) }

func (r rollback) run(ctx context.Context) {
	for i := len(r) - 1; i >= 0; i-- {
		r[i](ctx)
	}
}
