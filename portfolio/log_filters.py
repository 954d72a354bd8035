"""Keep API tokens and other credentials out of logs and error reports."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

# `Authorization: Token <key>` (knox), `Bearer <key>`, `Basic <credentials>` as they could appear
# in a message or a traceback.
CREDENTIAL = re.compile(r"\b(Token|Bearer|Basic)(\s+)[A-Za-z0-9+/=._~-]{6,}", re.IGNORECASE)
REDACTED = "********"


def redact(text: str) -> str:
    return CREDENTIAL.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message and traceback with credentials masked (never drops the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class TokenSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, which hides headers and settings named like API|AUTH|TOKEN|KEY|SECRET|PASS,
    plus the session cookie's and CSRF token's names, in every error report."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|COOKIE|CSRF|SESSION", flags=re.IGNORECASE,
    )
