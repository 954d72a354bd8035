"""Token authentication: knox's hashed tokens, checked with one query per request."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme

from projects.fast.tokens import OneQueryTokenAuthentication


class TokenAuthentication(OneQueryTokenAuthentication):
    """Knox's `Authorization: Token …` check, judging only the token presented (`projects.fast.tokens`).

    The same query reads the user's role profile, which every write asks for (projects.domain.roles).
    """

    select_related = ("user", "user__portfolio_profile")


class TokenScheme(KnoxTokenScheme):
    """The same OpenAPI security scheme as knox's own class."""

    target_class = TokenAuthentication
