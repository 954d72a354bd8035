"""Token authentication: knox's hashed tokens, checked with one query per request."""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
    """Knox's `Authorization: Token …` check, judging only the token presented.

    Knox also reads every other token of the user on each request to delete the expired ones:
    a second query per request that grows with the user's tokens. Here an expired token is
    deleted when it is presented (the same as knox does for it), and the others are left to
    that moment or to revocation; an expired token never authenticates either way.
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The same OpenAPI security scheme as knox's own class."""

    target_class = TokenAuthentication
