"""The one guard of every HTTP request the server makes (group robots and webhooks).

A URL passes when its scheme is https (http only where the rules allow it), it carries no user
name or password, and its host is allowed (the rules' host list; `*.example.cn` matches the
subdomains). The robots' rules come from OUTBOUND_ALLOWED_HOSTS and OUTBOUND_HTTP_HOSTS, the
webhooks' from WEBHOOK_ALLOWED_HOSTS (default none) and WEBHOOK_ALLOW_HTTP. At send time the host
is resolved and every address checked: a loopback, private, link-local or otherwise non-public
address passes only when that address itself is listed. The connection goes to the address that
was checked (so a second lookup cannot point it elsewhere), redirects are never followed, every
socket operation has a timeout, and at most `max_response_bytes` of the answer are read.
"""

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from projects.domain.webhooks import RESPONSE_KEPT_BYTES

USER_AGENT = "erqi-portfolio/1.0"
MAX_RESPONSE_BYTES = 64 * 1024


class Refused(Exception):
    """The URL or its address is not allowed: nothing was sent."""


class SendError(Exception):
    """The request was allowed but did not get a usable answer (network, timeout, redirect, status)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise SendError(f"应答不是 JSON（HTTP {self.status}）") from exc


@dataclass(frozen=True)
class Rules:
    """Where one kind of request may go: the allowed hosts, the hosts reachable over plain http, the
    setting that lists them (named in refusals), the timeout and how much of an answer is read."""

    allowed_hosts: tuple[str, ...]
    http_hosts: tuple[str, ...]
    hosts_setting: str
    http_refusal: str
    timeout: float
    max_response_bytes: int


def robot_rules() -> Rules:
    """The group robots' rules (OUTBOUND_*)."""
    return Rules(
        tuple(settings.OUTBOUND_ALLOWED_HOSTS), tuple(settings.OUTBOUND_HTTP_HOSTS), "OUTBOUND_ALLOWED_HOSTS",
        "明文 http 仅限 OUTBOUND_HTTP_HOSTS 中的主机", settings.OUTBOUND_TIMEOUT, MAX_RESPONSE_BYTES,
    )


def webhook_rules() -> Rules:
    """The webhooks' rules: WEBHOOK_ALLOWED_HOSTS (default none), http only with WEBHOOK_ALLOW_HTTP=1,
    a 10 s timeout and 1 KB of an answer."""
    hosts = tuple(settings.WEBHOOK_ALLOWED_HOSTS)
    return Rules(
        hosts, hosts if settings.WEBHOOK_ALLOW_HTTP else (), "WEBHOOK_ALLOWED_HOSTS",
        "明文 http 仅在 WEBHOOK_ALLOW_HTTP=1 时允许", settings.WEBHOOK_TIMEOUT,
        RESPONSE_KEPT_BYTES,
    )


def _host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
        if host == entry:
            return True
    return False


def check_url(url: str, *, rules: Rules | None = None) -> Target:
    """The URL's parts if it may be sent to; Refused (in Chinese) if not. Nothing is resolved here."""
    rules = rules or robot_rules()
    allowed, plain = rules.allowed_hosts, rules.http_hosts
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(f"地址无效：{exc}") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http"):
        raise Refused("地址须以 https:// 开头。")
    if not host:
        raise Refused("地址缺少主机名。")
    if parts.username is not None or parts.password is not None:
        raise Refused("地址中不得包含用户名或密码。")
    if not _host_allowed(host, allowed):
        raise Refused(f"主机 {host} 不在允许的外发主机（{rules.hosts_setting}）之中。")
    if parts.scheme == "http" and not _host_allowed(host, plain):
        raise Refused(f"主机 {host} 只能用 https 访问（{rules.http_refusal}）。")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _address_listed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed) -> bool:
    """The address itself is an entry of the list (no ranges: `10.0.0.0/8` lists nothing)."""
    for entry in allowed:
        try:
            if address == ipaddress.ip_address(entry.strip("[]")):
                return True
        except ValueError:
            continue
    return False


def resolve(target: Target, *, rules: Rules | None = None) -> str:
    """The address to connect to: every address of the host must be public, or listed itself."""
    allowed = (rules or robot_rules()).allowed_hosts
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SendError(f"无法解析主机 {target.host}：{exc}") from None
    addresses = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not address.is_global and not _address_listed(address, allowed):
            raise Refused(f"主机 {target.host} 解析到内部地址 {address}，未被允许。")
        addresses.append(str(address))
    if not addresses:
        raise SendError(f"无法解析主机 {target.host}")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address while naming the host in the Host header."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, the certificate verified for the host name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, *, rules: Rules | None = None, headers: dict | None = None) -> Answer:
    """POST `body` (JSON bytes) to `url` through the guard; the answer's status and first bytes, whatever
    the status.

    Refused when the guard says no (nothing sent); SendError for a network error or a socket
    operation that waits longer than the rules' timeout. (The webhooks' "answered within 10 s" over
    the whole exchange is their rule: projects/outbound/webhooks.py.)
    """
    rules = rules or robot_rules()
    target = check_url(url, rules=rules)
    address = resolve(target, rules=rules)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address, rules.timeout)
    try:
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **(headers or {}),
        })
        response = connection.getresponse()
        data = response.read(rules.max_response_bytes)
        status = response.status
    except TimeoutError:
        raise SendError(f"请求 {target.host} 超时（{rules.timeout:g} 秒内没有应答）") from None
    except (OSError, http.client.HTTPException) as exc:
        raise SendError(f"请求 {target.host} 失败：{exc.__class__.__name__}: {exc}") from None
    finally:
        connection.close()
    return Answer(status, data)


def post_json(url: str, payload, *, headers: dict | None = None) -> Answer:
    """POST `payload` as JSON to `url` under the robots' rules; SendError also for a redirect or a status
    other than 2xx."""
    target_host = urlsplit(url.strip()).hostname
    answer = post(url, json.dumps(payload, ensure_ascii=False).encode(), headers=headers)
    status, data = answer.status, answer.body
    if 300 <= status < 400:
        raise SendError(f"{target_host} 应答重定向（HTTP {status}），不跟随。")
    if not 200 <= status < 300:
        raise SendError(f"{target_host} 应答 HTTP {status}：{data[:200].decode(errors='replace')}")
    return answer
