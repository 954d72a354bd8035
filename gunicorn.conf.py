"""gunicorn settings of `make serve` and of production (`gunicorn -c gunicorn.conf.py portfolio.wsgi`).

Read from the environment: BIND (default 127.0.0.1:$PORT, PORT default 8000), WEB_CONCURRENCY
(worker processes, default 2), GUNICORN_THREADS (threads per worker, default 4),
FORWARDED_ALLOW_IPS (addresses of the reverse proxy, default 127.0.0.1).
"""

import os

wsgi_app = "portfolio.wsgi:application"
bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Largest request line and header sizes gunicorn accepts (its defaults); bodies are limited by the app.
limit_request_line = 8190

accesslog = "-"
errorlog = "-"
# Address, time, method and path (no query string), status, size, duration, user agent:
# no request headers, so the Authorization header (the API token) never reaches the log.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
