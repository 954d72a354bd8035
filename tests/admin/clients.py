"""A browser session of one role in the admin, for the admin's tests."""

from django.test import Client

from tests.factories import UserFactory, UserProfileFactory


def signed_in(role: str, username: str | None = None, **profile) -> Client:
    """A client logged in as a new user of `role` (`username`, or `<role>_person`; its department or
    official in `profile`); the user is `client.user`."""
    user = UserFactory(username=username or f"{role}_person")
    UserProfileFactory(user=user, role=role, **profile)
    client = Client()
    client.force_login(user)
    client.user = user
    return client
