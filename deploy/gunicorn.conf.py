"""gunicorn settings for the web process: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi``.

Everything here can be changed from the environment (deploy/env.example); see
https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual 2 × cores + 1: requests mostly wait on PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Long work (exports, rollups) runs in Celery, so a request that takes a minute is stuck, not busy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy (nginx) on the same host terminates TLS and sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The longest request line gunicorn reads (its maximum; the default is 4094). Django answers a URL over
# MAX_URL_BYTES (4096) with a documented 414 (core.security.UrlLengthLimitMiddleware); only a request
# line over this gets gunicorn's own 414 page. The header size limits stay at their defaults.
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "config.wsgi:application"
