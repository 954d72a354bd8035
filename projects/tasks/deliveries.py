"""Sending one delivery: claim it, carry it out (mail or robot), record the outcome.

A failed attempt is logged, keeps its error on its row, and leaves the next attempt due after the
backoff (NOTIFY_RETRY_DELAYS); one channel's failure touches no other delivery, and the
notification itself stays in the admin whatever happens here.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from projects import services
from projects.domain.choices import DeliveryChannel, NotificationKind
from projects.domain.exceptions import ServiceError
from projects.domain.periods import parse_iso_week
from projects.models import Delivery, Notification
from projects.outbound.guard import Refused, SendError
from projects.outbound.mail import Attachment, mail_send
from projects.outbound.robots import robot_send
from projects.services.notices import absolute

# The bulletin's PDF is drawn from the API's own tables (projects.api.views.reports.bulletin_pdf),
# which this layer may not import: the app registers it here when it is ready (projects.apps).
_bulletin_pdf: Callable[..., bytes] | None = None


def bulletin_pdf_register(builder: Callable[..., bytes]) -> None:
    """Set the function that draws a week's bulletin as a PDF (`builder(monday=, as_of=)`)."""
    global _bulletin_pdf
    _bulletin_pdf = builder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of one call: the delivery's state (None: not this worker's to send now), the seconds
    until it is due (a retry not yet due, or its robot's minute is full), the next attempt after a failure."""

    state: str | None = None
    wait: float | None = None
    next_attempt: Delivery | None = None


def bulletin_attachments(notification: Notification) -> tuple[Attachment, ...]:
    """The files a bulletin's mail carries: its PDF, where the renderer exists."""
    if notification.kind != NotificationKind.WEEKLY_BULLETIN or _bulletin_pdf is None:
        return ()
    monday, _ = parse_iso_week(notification.period)
    # As the Monday schedule read it: the week after, on its Monday.
    try:
        pdf = _bulletin_pdf(monday=monday, as_of=monday + timedelta(days=7))
    except ServiceError as exc:  # no renderer or font on this host: the mail goes without the file
        log.warning("bulletin %s sent without its PDF: %s", notification.period, exc.detail)
        return ()
    return (Attachment(f"二七区重点项目每周通报-{notification.period}.pdf", pdf, "application/pdf"),)


def mail_text(notification: Notification) -> str:
    """The mail's body: the notification, where to do it, who sent it."""
    user = notification.user
    name = user.get_full_name() or user.username
    link = f"\n\n办理页面：{absolute(notification.link)}" if notification.link else ""
    return f"{name}：\n\n{notification.body}{link}\n\n——二七区重点项目管理（系统自动发送，请勿直接回复）"


class Abandon(Exception):
    """Nothing to send it to any more: given up without retries."""


def _carry(delivery: Delivery) -> None:
    """Send it, or raise Refused/SendError; a reason that no retry can change raises Abandon."""
    if delivery.channel == DeliveryChannel.EMAIL:
        notification = delivery.notification
        if not notification.user.email or not notification.user.is_active:
            raise Abandon("用户没有邮箱地址或已停用")
        mail_send(to=notification.user.email, subject=notification.title, body=mail_text(notification),
                  attachments=bulletin_attachments(notification))
        return
    robot = delivery.robot
    if not robot.is_active:
        raise Abandon("机器人已停用")
    robot_send(kind=robot.kind, webhook_url=robot.webhook_url, secret=robot.secret,
               title=delivery.message.title, text=delivery.message.text)


def delivery_send(delivery_id: int) -> Outcome:
    """Claim the delivery and carry it out; at most one worker ever sends an attempt."""
    claim = services.delivery_claim(delivery_id=delivery_id, per_minute=settings.ROBOT_RATE_PER_MINUTE)
    delivery = claim.delivery
    if delivery is None:
        return Outcome(wait=claim.wait)
    delays = settings.NOTIFY_RETRY_DELAYS
    try:
        _carry(delivery)
    except Abandon as exc:
        error, delays, retry_after = str(exc), [], None
    except (Refused, SendError) as exc:
        error, retry_after = str(exc), getattr(exc, "retry_after", None)
    except Exception as exc:  # a fault in a channel must not leave the row claimed for ever
        log.exception("delivery %s (%s) failed unexpectedly", delivery.pk, delivery.channel)
        error, retry_after = f"{exc.__class__.__name__}: {exc}", None
    else:
        services.delivery_sent(delivery=delivery)
        log.info("delivery %s (%s, attempt %s) sent", delivery.pk, delivery.channel, delivery.attempt)
        return Outcome(state=delivery.state)
    following = services.delivery_failed(delivery=delivery, error=error, delays=delays, retry_after=retry_after)
    log.warning("delivery %s (%s, attempt %s) failed: %s%s", delivery.pk, delivery.channel, delivery.attempt,
                error, f"; attempt {following.attempt} at {following.due_at:%Y-%m-%d %H:%M:%S}" if following else
                "; given up")
    return Outcome(state=delivery.state, next_attempt=following)
