"""The request values of the admin's pages, read by the same functions as the API's (projects.domain.params)."""

from datetime import date

from django.core.exceptions import ValidationError

from projects.domain import params
from projects.domain.dates import default_as_of


def request_as_of(request) -> tuple[date, str]:
    """The `?as_of=` day of an admin page, and a message if it is bad (the page then shows the default day)."""
    try:
        return params.as_of(request.GET.get("as_of")), ""
    except ValidationError as exc:
        return default_as_of(), f"{exc.messages[0]}已按 {default_as_of().isoformat()} 显示。"
