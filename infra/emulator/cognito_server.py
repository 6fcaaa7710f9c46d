"""moto_server with the Cognito behaviours Roster relies on made faithful.

Runs in .tools/moto's Python (moto 5.2.5, pinned: these patches follow that version's code).
Each patch is small and says which real behaviour it restores; infra/EMULATORS.md lists them
and what is still not emulated. The Go side (infra/emulator) starts this file with the same
arguments as moto_server.
"""

import os
import sys

# moto checks TOTP codes (against one fixed secret for every user) only when asked to.
os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"

from moto.cognitoidp import models, responses  # noqa: E402
from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError  # noqa: E402
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

# 2. InitiateAuth: with PreventUserExistenceErrors ENABLED an unknown user gets the same
#    NotAuthorizedException as a wrong password. REFRESH_TOKEN_AUTH is refused for a disabled
#    or deleted user (moto refreshes a disabled user's tokens and fails with a 500 for a
#    deleted one).
_initiate_auth = Backend.initiate_auth


def _pool_and_client(backend, client_id):
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    return None, None


def initiate_auth(self, client_id, auth_flow, auth_parameters):
    pool, client = _pool_and_client(self, client_id)
    if pool is not None and auth_flow in ("REFRESH_TOKEN", "REFRESH_TOKEN_AUTH"):
        entry = pool.refresh_tokens.get((auth_parameters or {}).get("REFRESH_TOKEN"))
        if entry is not None:
            user = pool._get_user(entry[1])
            if user is None:
                raise NotAuthorizedError("Refresh Token has been revoked")
            if not user.enabled:
                raise NotAuthorizedError("User is disabled.")
    try:
        return _initiate_auth(self, client_id, auth_flow, auth_parameters)
    except UserNotFoundError:
        if client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED":
            raise NotAuthorizedError("Incorrect username or password.")
        raise


Backend.initiate_auth = initiate_auth


# 3. RespondToAuthChallenge with an unknown or expired session: Cognito answers
#    NotAuthorizedException ("Invalid session for the user."); moto ResourceNotFoundException.
#    A session is also bound to the user it was issued for: moto takes USERNAME from the
#    answer and would let one user's session set another's new password or pass its MFA.
_respond_to_auth_challenge = Backend.respond_to_auth_challenge


def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
    if challenge_name != "PASSWORD_VERIFIER":
        if session not in self.sessions:
            raise NotAuthorizedError("Invalid session for the user.")
        if (challenge_responses or {}).get("USERNAME") != self.sessions[session][0]:
            raise NotAuthorizedError("Invalid session for the user.")
    return _respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses)


Backend.respond_to_auth_challenge = respond_to_auth_challenge

# 4. RevokeToken is not implemented by moto. Like Cognito, it revokes a refresh token of the
#    given client; an unknown or already revoked token is not an error.
def revoke_token(self):
    client_id = self._get_param("ClientId")
    token = self._get_param("Token")
    for pool in self.backend.user_pools.values():
        entry = pool.refresh_tokens.get(token)
        if entry is not None and entry[0] == client_id:
            pool.refresh_tokens[token] = None
    return EmptyResult()


responses.CognitoIdpResponse.revoke_token = revoke_token

if __name__ == "__main__":
    main(sys.argv[1:])
