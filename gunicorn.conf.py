"""gunicorn settings for production (`gunicorn spaser.wsgi`); every value can be set in the environment.

Sync workers: each request is short except the bilan PDF, hence the timeout. Behind the reverse
proxy, gunicorn trusts X-Forwarded-* headers only from the addresses in TRUSTED_PROXIES.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1")
# GUNICORN_ACCESSLOG="" turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
