"""A webhook receiver on 127.0.0.1 that checks every request with the `standardwebhooks` library.

In a thread of the test (`Receiver`, scripted answers, for the schedule tests) or as a process of
its own (`python -m tests.webhook_receiver --port P --secret S --log FILE`, which the kill tests
stop and start again): each request is recorded with its `webhook-id`, timestamp, event and
whether its signature verified; a request that does not verify is answered 401.
"""

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Hit:
    webhook_id: str
    timestamp: int
    event: dict | None
    verified: bool
    at: float  # time.time() on arrival (the test's clock, travelled or not)
    headers: dict = field(default_factory=dict)
    raw: bytes = b""


def _handler(secret: str, record, answer):
    """A request handler that verifies, records (`record(hit)`) and answers (`answer(hit)` -> (status, body) or seconds to stall)."""
    webhook = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                event = webhook.verify(raw, headers)
                verified = True
            except (WebhookVerificationError, ValueError):
                event, verified = None, False
            hit = Hit(headers.get("webhook-id", ""), int(headers.get("webhook-timestamp", "0") or 0), event, verified,
                      time.time(), headers, raw)
            record(hit)
            step = answer(hit) if verified else (401, b"bad signature")
            if isinstance(step, (int, float)):
                time.sleep(step)
                step = (200, b"late")
            status, body = step
            try:
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

    return Handler


class Receiver:
    """In a thread; `script` holds the answers to give in order before the default 200: a (status, body)
    pair or a number of seconds to stall."""

    def __init__(self, secret: str, script=None):
        self.hits: list[Hit] = []
        self.script = list(script or [])
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(secret, self.hits.append, self._answer))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/portfolio"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, hit):
        return self.script.pop(0) if self.script else (200, b"ok")

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--stall-first", type=float, default=0, help="seconds to wait before answering the first request")
    options = parser.parse_args()
    log = open(options.log, "a", buffering=1)
    lock = threading.Lock()

    def record(hit: Hit):
        line = json.dumps({"id": hit.webhook_id, "timestamp": hit.timestamp, "verified": hit.verified,
                           "event": hit.event["id"] if hit.event else None, "at": hit.at})
        with lock:
            log.write(line + "\n")

    stalls = [options.stall_first] if options.stall_first else []

    def answer(hit: Hit):
        return stalls.pop(0) if stalls else (200, b"ok")

    httpd = ThreadingHTTPServer(("127.0.0.1", options.port), _handler(options.secret, record, answer))
    httpd.daemon_threads = True
    print(f"listening on {options.port}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
