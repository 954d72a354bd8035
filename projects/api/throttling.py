"""Rate limits per API token (per user for browser sessions, per address for anonymous pages).

DRF's own throttles keep a list of timestamps in the cache and write it back after reading it,
so two processes serving the same token at once can both let a request through past the limit.
These count in one atomic cache increment instead: with REDIS_URL set (django-redis) the limit
holds across every process on every host. A window opens with the first request of a caller and
lasts the rate's period (`1200/min`: 1,200 requests in the minute from the first one); beyond the
limit the answer is 429 with `Retry-After`, the seconds until the window closes.
"""

import hashlib
import math

from rest_framework.throttling import SimpleRateThrottle


class AtomicWindowThrottle(SimpleRateThrottle):
    cache_format = "throttle:%(scope)s:%(ident)s"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.count = self._count_request()
        self.window_start = self.cache.get(f"{self.key}:start", self.now)
        return self.count <= self.num_requests

    def _count_request(self) -> int:
        for _ in range(3):
            # add() only writes a missing key: the first request of a window opens it.
            self.cache.add(f"{self.key}:start", self.now, self.duration)
            self.cache.add(self.key, 0, self.duration)
            try:
                return self.cache.incr(self.key)
            except ValueError:  # the window expired between add() and incr(): open the next one
                continue
        return self.num_requests + 1

    def wait(self) -> float:
        # The window's start may have been written by another process a moment after this one
        # read its clock, so the difference is bounded by the window's length.
        return min(self.duration, max(1, math.ceil(self.window_start + self.duration - self.now)))


class TokenRateThrottle(AtomicWindowThrottle):
    """Authenticated callers: counted per API token, or per user when signed in by session."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonymousRateThrottle counts these
        digest = getattr(request.auth, "digest", None)
        if digest:
            # The token's stored digest, hashed again: the cache never holds anything of the key.
            ident = "token-" + hashlib.sha256(digest.encode()).hexdigest()[:32]
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(AtomicWindowThrottle):
    """Requests without credentials (the schema and docs pages, failed logins): per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
