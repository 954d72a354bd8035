"""knox's token check with one query: only the token presented is read (and deleted if expired).

What: `OneQueryTokenAuthentication` is knox's `TokenAuthentication` with its
`authenticate_credentials` and `_cleanup_token` rewritten. The API's authentication class
(`projects.api.authentication.TokenAuthentication`) is this, and names in `select_related` the
relations it reads on every request (the user's role profile).

Why: knox reads every other token of the user on each request to delete the expired ones: a
second query per request that grows with the user's tokens (docs/performance.md, "One token
query per request"). Here an expired token is deleted when it is presented, as knox does for
it; the user's other expired tokens are left to that moment or to revocation. An expired token
never authenticates either way.

The knox behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- `TokenAuthentication.authenticate()` passes the token (bytes) to `authenticate_credentials()`
  and expects `(user, auth_token)`; the body here is knox's own but for the `select_related`.
- `_cleanup_token(auth_token)` (private) returns True when the token has expired and was deleted;
  knox's version also deletes the user's other expired tokens, the query this skips. The signal
  sent for the token presented is knox's (`token_expired`, `source="auth_token"`).
- The token model's `token_key` (the first `CONSTANTS.TOKEN_KEY_LENGTH` characters), `digest`
  (`knox.crypto.hash_token`), `expiry` and `user`; `renew_token()` and `validate_user()` as knox
  defines them, with `knox_settings.AUTO_REFRESH`.

Tests: tests/api/test_authentication.py
(`test_a_request_reads_the_token_table_once_whatever_the_users_other_tokens`,
`test_an_expired_token_is_refused_and_deleted_when_presented`,
`test_a_valid_token_survives_a_users_expired_one`).
"""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions


class OneQueryTokenAuthentication(auth.TokenAuthentication):
    """Knox's `Authorization: Token …` check, judging only the token presented (see the module)."""

    # Relations read with the token, in the same query.
    select_related = ("user",)

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        candidates = get_token_model().objects.filter(token_key=token[:CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in candidates.select_related(*self.select_related):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False
