"""Webhooks as Standard Webhooks (https://www.standardwebhooks.com) defines them: the secret, the signature, one POST.

Each attempt is signed afresh: `webhook-id` is the event's id (the same on every retry, so a
receiver can drop a duplicate), `webhook-timestamp` the attempt's Unix seconds, and
`webhook-signature` is `v1,` + base64 of HMAC-SHA256 over "{id}.{timestamp}.{body}", keyed with
the secret's decoded bytes. Every request goes through the one guard, under the webhooks' rules.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from projects.domain.webhooks import SECRET_PREFIX
from projects.outbound.guard import Refused, SendError, check_url, post, resolve, webhook_rules


def webhook_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header of one attempt."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_body(payload: dict) -> bytes:
    """The request body: the event as compact UTF-8 JSON (the bytes that are signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_url_check(url: str) -> None:
    """Refused (a Chinese reason) unless the guard would let a delivery to `url` through now: scheme,
    credentials, WEBHOOK_ALLOWED_HOSTS, and the host's current addresses. The worker checks again at
    every send, so an address that changes later is caught then."""
    rules = webhook_rules()
    target = check_url(url, rules=rules)
    try:
        resolve(target, rules=rules)
    except SendError as exc:
        raise Refused(str(exc)) from None


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: the status (None: no answer), the error ("" when delivered), how long it took."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def webhook_post(url: str, *, secret: str, message_id: str, body: bytes, timestamp: int | None = None) -> Attempt:
    """POST one signed event to `url`; never raises for what the receiver or the network does."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature(secret, message_id, timestamp, body),
    }
    rules = webhook_rules()
    started = time.monotonic()
    try:
        answer = post(url, body, rules=rules, headers=headers)
    except (Refused, SendError) as exc:
        return Attempt(None, str(exc), _ms_since(started))
    duration = _ms_since(started)
    if duration > rules.timeout * 1000:
        # A 2xx delivers only "within 10 s" of the whole exchange: an answer trickled in byte by byte
        # (each read within the socket timeout) does not.
        return Attempt(answer.status, f"超时（{rules.timeout:g} 秒内没有完整应答）", duration)
    if 200 <= answer.status < 300:
        return Attempt(answer.status, "", duration)
    text = answer.body.decode(errors="replace")
    if 300 <= answer.status < 400:
        return Attempt(answer.status, f"应答重定向（HTTP {answer.status}），不跟随。", duration)
    return Attempt(answer.status, f"HTTP {answer.status}：{text}" if text else f"HTTP {answer.status}", duration)


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
