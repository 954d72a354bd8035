"""Real peers for the channel tests, on 127.0.0.1 and always stopped: a group-robot server and an SMTP server.

`RobotServer` answers like 企业微信 and 钉钉 (`{"errcode": 0}`), records every request and checks
DingTalk's signature itself (timestamp + HMAC-SHA256 of "timestamp\\nsecret", base64, in `sign`).
`SmtpServer` is aiosmtpd's; every mail it receives is kept as parsed by the standard library.
"""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: dict
    at: float  # time.time() when it arrived (the test's clock, travelled or not)
    signature_ok: bool | None = None  # for a robot with a secret


@dataclass
class RobotServer:
    """POST /wecom/<key> and /dingtalk/<name> like the real robots; `secrets` maps a DingTalk path to its secret."""

    secrets: dict = field(default_factory=dict)
    # Answers to give, in order, before the normal {"errcode": 0}: (status, json body) or a number of seconds to stall.
    script: list = field(default_factory=list)
    received: list = field(default_factory=list)

    def __post_init__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                record = Received(parts.path, query, dict(self.headers), json.loads(raw), time.time())
                secret = server.secrets.get(parts.path)
                if secret is not None:
                    record.signature_ok = _dingtalk_sign_ok(secret, query)
                server.received.append(record)
                status, answer = 200, {"errcode": 0, "errmsg": "ok"}
                if record.signature_ok is False:
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
                elif server.script:
                    step = server.script.pop(0)
                    if isinstance(step, (int, float)):
                        time.sleep(step)
                    else:
                        status, answer = step
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _dingtalk_sign_ok(secret: str, query: dict) -> bool:
    timestamp, sign = query.get("timestamp"), query.get("sign")
    if not timestamp or not sign:
        return False
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    # parse_qs has already undone the URL encoding of `sign`.
    return hmac.compare_digest(sign, expected) and abs(time.time() * 1000 - int(timestamp)) < 3600 * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1; `mails` are the received messages, parsed (headers decoded)."""

    def __init__(self):
        self.mails: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                server.mails.append(message_from_bytes(envelope.original_content or envelope.content,
                                                       policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def wait_for(self, count: int, timeout: float = 90) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.mails) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.mails

    def stop(self):
        self.controller.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class TricklingServer:
    """Answers every POST `200` with a body sent a byte at a time, `pause` seconds apart: each read
    waits less than a timeout of a second, the whole answer takes longer."""

    def __init__(self, body: bytes = b"ok!!", pause: float = 0.4):
        self.body, self.pause = body, pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hooks/portfolio"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                head, _, body = request.partition(b"\r\n\r\n")
                length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), b"0"))
                while len(body) < length:
                    body += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(self.body))
                for byte in self.body:
                    time.sleep(self.pause)
                    conn.sendall(bytes([byte]))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()
        self.thread.join(timeout=5)
