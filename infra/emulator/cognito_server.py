"""moto_server with the Cognito behaviours Roster relies on made faithful.

Runs in .tools/moto's Python (moto 5.2.5, pinned: these patches follow that version's code).
Each patch is small and says which real behaviour it restores; infra/EMULATORS.md lists them
and what is still not emulated. The Go side (infra/emulator) starts this file with the same
arguments as moto_server.
"""

import os
import sys
import uuid

# moto checks TOTP codes (against one fixed secret for every user) only when asked to.
os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"

from moto.cognitoidp import models, responses  # noqa: E402
from moto.cognitoidp.exceptions import (  # noqa: E402
    InvalidParameterException,
    InvalidPasswordException,
    NotAuthorizedError,
    ResourceNotFoundError,
    UserNotFoundError,
)
from moto.cognitoidp.models import UserStatus  # noqa: E402
from moto.cognitoidp.utils import check_secret_hash  # noqa: E402
from moto.core.exceptions import JsonRESTError  # noqa: E402
from moto.core.responses import EmptyResult  # noqa: E402
from moto.server import main  # noqa: E402

Backend = models.CognitoIdpBackend

# 1. SoftwareTokenMfaSettings {"Enabled": false}: the Go SDK leaves false booleans out, so the
#    request carries an empty object, which moto ignores (MFA stays on). Cognito reads the
#    missing members as false and turns MFA off.
_admin_set_user_mfa_preference = Backend.admin_set_user_mfa_preference


def admin_set_user_mfa_preference(self, user_pool_id, username, software_token_mfa_settings, sms_mfa_settings):
    if software_token_mfa_settings == {}:
        software_token_mfa_settings = {"Enabled": False, "PreferredMfa": False}
    if sms_mfa_settings == {}:
        sms_mfa_settings = {"Enabled": False, "PreferredMfa": False}
    return _admin_set_user_mfa_preference(self, user_pool_id, username, software_token_mfa_settings, sms_mfa_settings)


Backend.admin_set_user_mfa_preference = admin_set_user_mfa_preference

# 2. App clients with a secret, and the auth flows a client allows (moto checks neither for
#    the password flows): a flow missing from ExplicitAuthFlows is refused with
#    InvalidParameterException, and a client with a secret refuses every sign-in, refresh and
#    challenge answer without the SECRET_HASH of the user it is for (NotAuthorizedException).
#    A direct InitiateAuth with nothing but the app client's id is what Roster's client
#    refuses: nobody signs in except through Roster.
_FLOW_SETTINGS = {  # an auth flow, by the ExplicitAuthFlows values that allow it (new and legacy)
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
}
_REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
_PASSWORD_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
# What Cognito gives a client created without ExplicitAuthFlows.
_DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]


def _require_flow(client, auth_flow):
    if auth_flow not in _FLOW_SETTINGS:
        return  # moto refuses unknown flows itself
    flows = client.extended_config.get("ExplicitAuthFlows") or _DEFAULT_FLOWS
    if auth_flow in _REFRESH_FLOWS and not any(f.startswith("ALLOW_") for f in flows):
        return  # with only legacy values, refreshing is always allowed
    if not _FLOW_SETTINGS[auth_flow] & set(flows):
        raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")


def _require_secret_hash(client, username, params):
    if not client.generate_secret:
        return
    given = (params or {}).get("SECRET_HASH")
    if not given:
        raise NotAuthorizedError(f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    if not check_secret_hash(client.secret, client.id, username or "", given):
        raise NotAuthorizedError(f"Unable to verify secret hash for client {client.id}")


def _hides_users(client):
    return client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def _pool_and_client(backend, client_id):
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    return None, None


# 3. Refreshing (REFRESH_TOKEN_AUTH, with InitiateAuth or AdminInitiateAuth) is refused for a
#    token that is unknown, revoked or another client's, without the SECRET_HASH of the token's
#    user, and for a disabled or deleted user (moto refreshed a disabled user's tokens, and
#    answered 500 for a deleted one or an unknown token).
def _check_refresh(pool, client, params):
    token = (params or {}).get("REFRESH_TOKEN")
    if not token or token not in pool.refresh_tokens:
        raise NotAuthorizedError("Invalid Refresh Token")
    entry = pool.refresh_tokens[token]
    if entry is None:
        raise NotAuthorizedError("Refresh Token has been revoked")
    if entry[0] != client.id:
        raise NotAuthorizedError("Invalid Refresh Token")
    _require_secret_hash(client, entry[1], params)
    user = pool._get_user(entry[1])
    if user is None:
        raise NotAuthorizedError("Refresh Token has been revoked")
    if not user.enabled:
        raise NotAuthorizedError("User is disabled.")


# 4. InitiateAuth: the checks of 2 and 3; with PreventUserExistenceErrors ENABLED an unknown
#    user gets the same NotAuthorizedException as a wrong password.
_initiate_auth = Backend.initiate_auth


def initiate_auth(self, client_id, auth_flow, auth_parameters):
    params = auth_parameters or {}
    pool, client = _pool_and_client(self, client_id)
    if client is not None:
        _require_flow(client, auth_flow)
        if auth_flow in _REFRESH_FLOWS:
            _check_refresh(pool, client, params)
        elif auth_flow == "USER_PASSWORD_AUTH":
            _require_secret_hash(client, params.get("USERNAME"), params)
    try:
        return _initiate_auth(self, client_id, auth_flow, auth_parameters)
    except UserNotFoundError:
        if _hides_users(client):
            raise NotAuthorizedError("Incorrect username or password.")
        raise


Backend.initiate_auth = initiate_auth

# 5. AdminInitiateAuth, the server-side flows Roster signs in with: the checks of 2 and 3, and
#    the password flow answers as InitiateAuth's does (an unknown user like a wrong password
#    under PreventUserExistenceErrors; a disabled user refused), with Cognito's messages (moto's
#    name the user).
_admin_initiate_auth = Backend.admin_initiate_auth


def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
    params = auth_parameters or {}
    pool = self.describe_user_pool(user_pool_id)
    client = pool.clients.get(client_id)
    if client is None:
        raise ResourceNotFoundError(client_id)
    _require_flow(client, auth_flow)
    if auth_flow in _REFRESH_FLOWS:
        _check_refresh(pool, client, params)
    elif auth_flow in _PASSWORD_FLOWS:
        username = params.get("USERNAME")
        _require_secret_hash(client, username, params)
        user = pool._get_user(username) if username else None
        if user is None:
            if _hides_users(client):
                raise NotAuthorizedError("Incorrect username or password.")
            raise UserNotFoundError("User does not exist.")
        if not user.enabled:
            raise NotAuthorizedError("User is disabled.")
        if user.password != params.get("PASSWORD"):
            raise NotAuthorizedError("Incorrect username or password.")
    return _admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters)


Backend.admin_initiate_auth = admin_initiate_auth


# 6. RespondToAuthChallenge and AdminRespondToAuthChallenge (moto runs the first for both).
#    An unknown or expired session: Cognito answers NotAuthorizedException ("Invalid session for
#    the user."); moto ResourceNotFoundException. A session is bound to the user it was issued
#    for: moto takes USERNAME from the answer and would let one user's session set another's new
#    password or pass its MFA. The answer needs the user's SECRET_HASH when the client has a
#    secret (moto checks it for MFA codes only), and the user must still exist and be enabled.
#    A new password for a user whose TOTP MFA is on is followed by the SOFTWARE_TOKEN_MFA
#    challenge, as in Cognito (moto issued tokens at once, skipping the second factor).
_respond_to_auth_challenge = Backend.respond_to_auth_challenge


def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
    answers = challenge_responses or {}
    if challenge_name != "PASSWORD_VERIFIER":
        if session not in self.sessions:
            raise NotAuthorizedError("Invalid session for the user.")
        username, pool = self.sessions[session]
        if answers.get("USERNAME") != username:
            raise NotAuthorizedError("Invalid session for the user.")
        client = pool.clients.get(client_id)
        if client is not None:
            _require_secret_hash(client, username, answers)
        user = pool._get_user(username)
        if user is None:
            raise NotAuthorizedError("Invalid session for the user.")
        if not user.enabled:
            raise NotAuthorizedError("User is disabled.")
        if (challenge_name == "NEW_PASSWORD_REQUIRED" and client is not None and user.software_token_mfa_enabled
                and user.preferred_mfa_setting == "SOFTWARE_TOKEN_MFA"):
            new_password = answers.get("NEW_PASSWORD")
            if not new_password:
                raise InvalidPasswordException()
            self._validate_password(pool.id, new_password)
            user.password = new_password
            user.status = UserStatus.CONFIRMED
            del self.sessions[session]
            following = str(uuid.uuid4())
            self.sessions[following] = (username, pool)
            return {"ChallengeName": "SOFTWARE_TOKEN_MFA", "ChallengeParameters": {}, "Session": following}
    return _respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses)


Backend.respond_to_auth_challenge = respond_to_auth_challenge

# AdminRespondToAuthChallenge names the pool, which must hold the client (moto ignores it).
_admin_respond_response = responses.CognitoIdpResponse.admin_respond_to_auth_challenge


def admin_respond_to_auth_challenge_response(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    if self._get_param("ClientId") not in pool.clients:
        raise ResourceNotFoundError(self._get_param("ClientId"))
    return _admin_respond_response(self)


responses.CognitoIdpResponse.admin_respond_to_auth_challenge = admin_respond_to_auth_challenge_response


# 7. RevokeToken is not implemented by moto. Like Cognito, it revokes a refresh token of the
#    given client, which must send its secret if it has one (refused with RevokeToken's
#    UnauthorizedException); an unknown or already revoked token is not an error.
def revoke_token(self):
    client_id = self._get_param("ClientId")
    token = self._get_param("Token")
    for pool in self.backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None and client.generate_secret and self._get_param("ClientSecret") != client.secret:
            raise JsonRESTError("UnauthorizedException", f"Unable to verify secret for client {client_id}")
        entry = pool.refresh_tokens.get(token)
        if entry is not None and entry[0] == client_id:
            pool.refresh_tokens[token] = None
    return EmptyResult()


responses.CognitoIdpResponse.revoke_token = revoke_token


# 8. DeleteUser is not implemented by moto. Like Cognito, a user's own access token (it carries
#    the aws.cognito.signin.user.admin scope) deletes its user, and its tokens die with it.
def delete_user(self):
    token = self._get_param("AccessToken")
    for backends in models.cognitoidp_backends.values():
        for region, backend in backends.items():
            if region == "global":
                continue
            for pool in backend.user_pools.values():
                if token in pool.access_tokens:
                    _, username = pool.access_tokens[token]
                    pool.sign_out(username)
                    backend.admin_delete_user(pool.id, username)
                    return EmptyResult()
    raise NotAuthorizedError("Invalid Access Token")


responses.CognitoIdpResponse.delete_user = delete_user

if __name__ == "__main__":
    main(sys.argv[1:])
