"""The one guard of every HTTP request the server makes (group robots today, webhooks next).

A URL passes when its scheme is https (http only to hosts listed in OUTBOUND_HTTP_HOSTS as well),
it carries no user name or password, and its host is allowed (OUTBOUND_ALLOWED_HOSTS, or the list
a caller passes; `*.example.cn` matches the subdomains). At send time the host is resolved and
every address checked: a loopback, private, link-local or otherwise non-public address passes only
when that address itself is listed. The connection goes to the address that was checked (so a
second lookup cannot point it elsewhere), redirects are never followed, every socket operation has
a timeout, and at most `max_response_bytes` of the answer are read.
"""

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

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


def _host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
        if host == entry:
            return True
    return False


def check_url(url: str, *, allowed_hosts: list[str] | None = None, http_hosts: list[str] | None = None) -> Target:
    """The URL's parts if it may be sent to; Refused (in Chinese) if not. Nothing is resolved here."""
    allowed = settings.OUTBOUND_ALLOWED_HOSTS if allowed_hosts is None else allowed_hosts
    plain = settings.OUTBOUND_HTTP_HOSTS if http_hosts is None else http_hosts
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
        raise Refused(f"主机 {host} 不在允许的外发主机（OUTBOUND_ALLOWED_HOSTS）之中。")
    if parts.scheme == "http" and not _host_allowed(host, plain):
        raise Refused(f"主机 {host} 只能用 https 访问（明文 http 仅限 OUTBOUND_HTTP_HOSTS 中的主机）。")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _address_listed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: list[str]) -> bool:
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry.strip("[]"), strict=False):
                return True
        except ValueError:
            continue
    return False


def resolve(target: Target, *, allowed_hosts: list[str] | None = None) -> str:
    """The address to connect to: every address of the host must be public, or listed itself."""
    allowed = settings.OUTBOUND_ALLOWED_HOSTS if allowed_hosts is None else allowed_hosts
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


def post_json(
    url: str, payload, *, allowed_hosts: list[str] | None = None, http_hosts: list[str] | None = None,
    timeout: float | None = None, max_response_bytes: int = MAX_RESPONSE_BYTES, headers: dict | None = None,
) -> Answer:
    """POST `payload` as JSON to `url` through the guard; the answer's status and first bytes.

    Refused when the guard says no (nothing sent); SendError for a network error, a timeout, a
    redirect or a status other than 2xx.
    """
    target = check_url(url, allowed_hosts=allowed_hosts, http_hosts=http_hosts)
    address = resolve(target, allowed_hosts=allowed_hosts)
    timeout = settings.OUTBOUND_TIMEOUT if timeout is None else timeout
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address, timeout)
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **(headers or {}),
        })
        response = connection.getresponse()
        data = response.read(max_response_bytes)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        raise SendError(f"请求 {target.host} 失败：{exc.__class__.__name__}: {exc}") from None
    finally:
        connection.close()
    if 300 <= status < 400:
        raise SendError(f"{target.host} 应答重定向（HTTP {status}），不跟随。")
    if not 200 <= status < 300:
        raise SendError(f"{target.host} 应答 HTTP {status}：{data[:200].decode(errors='replace')}")
    return Answer(status, data)
