"""Mail through Django's SMTP settings (EMAIL_HOST and friends, from the environment): Chinese subject and body, UTF-8."""

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

from projects.outbound.guard import SendError


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def mail_enabled() -> bool:
    """Mail goes out only where an SMTP server is configured."""
    return bool(settings.EMAIL_HOST)


def mail_send(*, to: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()) -> None:
    """Send one mail; SendError when the SMTP server does not take it."""
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        raise SendError(f"邮件发送失败：{exc.__class__.__name__}: {exc}") from None
