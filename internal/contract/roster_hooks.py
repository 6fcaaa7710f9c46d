"""Schemathesis hooks for Roster's contract run (internal/contract/contract_test.go).

Two things the OpenAPI document cannot say, and schemathesis cannot know:

- How to get a token. Every case is signed in with a token fetched again every few seconds:
  the run itself calls POST /v1/auth/logout, which ends every session the account had, and a
  run that went on with a dead token would test nothing but 401s. The accounts come as a list
  (ROSTER_CONTRACT_ACCOUNTS): the run may also freeze or delete the one it signs in as, or lock
  it out by failing to sign in as it five times (schemathesis learns login accounts from the
  answers it gets), and then it goes on as the next.

- Which 400s a schema-valid request may get. A request can match the document and still be
  refused for a value only the server holds (an emailed or TOTP code, the current password, a
  challenge's session, a role id or user id that must exist) or for a rule across fields that
  JSON Schema cannot state (confirmPassword equals password, `to` not before `from`, a password
  that must not contain the login account or be a common one, a refresh token that only a cookie
  session may leave out of the body). schemathesis.toml lets those
  operations answer 400 to schema-valid data, and `refused_only_for_server_held_values` below
  holds each such 400 to naming only those fields: any other field refused is a failure.
"""

import json
import os
import urllib.error
import urllib.request

import schemathesis

API = os.environ["ROSTER_CONTRACT_API"].rstrip("/")  # for signing in, from an address of its own
ACCOUNTS = json.loads(os.environ["ROSTER_CONTRACT_ACCOUNTS"])  # [[loginAccount, password], ...]


@schemathesis.auth(refresh_interval=3)
class SignIn:
    current = 0

    def get(self, case, ctx):
        while SignIn.current < len(ACCOUNTS):
            login, password = ACCOUNTS[SignIn.current]
            body = json.dumps({"loginAccount": login, "password": password}).encode()
            req = urllib.request.Request(API + "/v1/auth/login", data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return json.load(resp)["accessToken"]
            except urllib.error.HTTPError:
                SignIn.current += 1  # frozen, deleted or locked out by the run: the next one
        raise RuntimeError("every account the run was given is frozen, deleted or locked out")

    def set(self, case, token, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = "Bearer " + token


# Fields a schema-valid request may be refused for, by operation: each is a value only the
# server holds or a rule across fields (see above). A name ending in "[" covers every index.
SERVER_HELD = {
    "POST /v1/auth/register": {"verificationCode", "confirmPassword", "password", "invitationCode", "invitationToken"},
    "POST /v1/auth/challenge": {"code", "newPassword", "session"},
    "POST /v1/auth/password/reset": {"code", "newPassword"},
    "POST /v1/auth/refresh": {"refreshToken"},  # required but in a cookie session: a rule across the header and the body
    "POST /v1/me/password": {"currentPassword", "newPassword"},
    "POST /v1/me/email": {"email"},  # "is already your email address"
    "POST /v1/me/email/verify": {"code", "email"},
    "POST /v1/me/mfa/totp/verify": {"code"},
    "DELETE /v1/me/mfa": {"code"},
    "POST /v1/users": {"password.value"},
    "POST /v1/users/{id}/password-reset": {"notify"},  # needs the user's verified email
    "POST /v1/teams": {"ownerId"},  # an existing member account
    "POST /v1/teams/{id}/members": {"userId", "roleIds[", "newUser.password.value"},
    "PUT /v1/teams/{id}/members/{userId}": {"roleIds["},
    "POST /v1/teams/{id}/invitation-codes": {"roleIds["},
    "POST /v1/teams/{id}/invitations": {"roleIds["},
    "GET /v1/audit-events": {"to"},
}


@schemathesis.check
def refused_only_for_server_held_values(ctx, response, case):
    if response.status_code != 400 or case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    allowed = SERVER_HELD.get(f"{case.method.upper()} {case.path}")
    if allowed is None:
        return None  # positive_data_acceptance answers for it
    try:
        fields = response.json()["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        raise AssertionError("a 400 without error.fields")
    other = sorted(f for f in fields if f not in allowed and not any(a.endswith("[") and f.startswith(a) for a in allowed))
    if other:
        raise AssertionError(f"a schema-valid request was refused for {other}, which the document allows")
    return None


# Path parameters that name a record by its id (the document's Id: 26 base32 letters).
ID_PARAMETERS = {"id", "userId", "invitationId"}
NOBODY = "a" * 26


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """A stateful link that takes an id from an answer where it is null (an audit event of a
    user has no teamId) sends the string "None", which is no id (the document's pattern refuses
    it), and schemathesis then counts the 400 as valid data refused. Such a link names nothing:
    it gets an id nobody has instead, which is answered 404."""
    for name, value in (case.path_parameters or {}).items():
        if name in ID_PARAMETERS and value in (None, "None"):
            case.path_parameters[name] = NOBODY
