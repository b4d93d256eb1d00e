"""gunicorn settings: `gunicorn -c python:service.gunicorn_conf "service:create_app()"`.

Every value can be overridden on the command line or by GUNICORN_CMD_ARGS.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = 30  # a request that takes longer is stuck: the worker is replaced
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then, with jitter so they do not all restart at once
max_requests_jitter = 200
preload_app = False  # each worker opens its own database pool
# The access log shows the path without its query string, and never a header but the request id.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(D)sus id=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "baclowatch.request": {"level": "WARNING"},  # the access log already says it
        "alembic": {"level": "WARNING"},
    },
}
