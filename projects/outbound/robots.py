"""企业微信 and 钉钉 group robots: markdown messages (cut to size by projects.domain.messages), DingTalk's signed URL.

Both take a JSON POST on the robot's webhook address and answer `{"errcode": 0, "errmsg": "ok"}`;
both allow 20 messages a minute per robot (the sender keeps to it, see the deliveries task).
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from projects.domain.choices import RobotKind
from projects.domain.messages import MAX_BYTES
from projects.outbound.guard import SendError, post_json

# The robots' own "too many messages" codes: the attempt is retried after a minute.
RATE_LIMITED_CODES = {45009, 130101}


class RateLimited(SendError):
    """The robot said it gets too many messages."""

    retry_after = 60


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """The webhook address with DingTalk's `timestamp` and `sign` (HMAC-SHA256 of "timestamp\\nsecret")."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def robot_payload(kind: str, title: str, text: str) -> dict:
    """The JSON body of a markdown message."""
    if kind == RobotKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def robot_send(*, kind: str, webhook_url: str, secret: str, title: str, text: str) -> None:
    """Send one markdown message to one robot; SendError (RateLimited) when it does not say ok."""
    if len(text.encode()) > MAX_BYTES[kind]:
        raise SendError(f"消息超过 {MAX_BYTES[kind]} 字节的上限")
    url = dingtalk_signed_url(webhook_url, secret) if kind == RobotKind.DINGTALK and secret else webhook_url
    answer = post_json(url, robot_payload(kind, title, text)).json()
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code == 0:
        return
    message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
    if code in RATE_LIMITED_CODES:
        raise RateLimited(f"机器人限流（errcode {code}：{message}）")
    raise SendError(f"机器人拒收（errcode {code}：{message}）")
