"""gunicorn settings: `gunicorn -c python:service.gunicorn_conf "service:create_app()"`.

Every value can be overridden on the command line or by GUNICORN_CMD_ARGS.
"""
import json
import multiprocessing
import os
from http import HTTPStatus

from gunicorn import glogging, util

from service.web import escape_for_log

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
# Threads, so a client that sends its request slowly holds one thread, not a whole worker (a
# sync worker reads a request's headers for as long as the client takes to send them). A worker
# accepts no more connections than it has threads: else the worker that happens to be awake
# accepts them all, slow ones included, and queues the rest behind them while the others idle.
# So no connection is kept alive between requests (one would hold a thread's place while idle);
# a proxy in front keeps its clients' connections. A connection that sends nothing is dropped
# after 5 s. Each thread may hold a database connection (the pool's 5 + 10 per worker covers 8).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 8))
worker_connections = threads
keepalive = 0
timeout = 30  # a worker whose main loop is silent this long is stuck: it is replaced
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then, with jitter so they do not all restart at once
max_requests_jitter = 200
preload_app = False  # each worker opens its own database pool
# gunicorn's own limits (its defaults, written out): what is over them never reaches the app and
# is answered by gunicorn, in problem+json like every other error (below).
limit_request_line = 8190  # 414
limit_request_fields = 100  # 431
limit_request_field_size = 8190  # 431
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



def post_worker_init(worker):
    # The note model loads before the first request, not during it; then the worker is ready.
    # "Booting worker" is said at the fork; a worker serves only once the app is loaded, seconds later.
    from service.rules import semantic

    semantic.warm()
    worker.log.info("Worker ready (pid: %s)", worker.pid)


class EscapedAtoms(glogging.SafeAtoms):
    """The access log's fields, each kept on its line and in its quotes whatever the client sent."""

    def __init__(self, atoms):
        dict.__init__(self)
        for key, value in atoms.items():
            # gunicorn's strings are WSGI strings: one latin-1 character per byte received.
            self[key] = escape_for_log(value, "latin-1") if isinstance(value, str) else value


class Logger(glogging.Logger):
    atoms_wrapper_class = EscapedAtoms


logger_class = "service.gunicorn_conf.Logger"


def write_problem(sock, status_int, reason, mesg):
    """Answer what gunicorn refuses itself (400, 414, 431, …) in problem+json, as the app does.

    gunicorn writes these answers before the app sees the request, with an HTML page of its own;
    this takes the place of that page (gunicorn.util.write_error, same arguments).
    """
    try:
        title = HTTPStatus(status_int).phrase
    except ValueError:
        title = reason
    problem = {"type": "about:blank", "title": title, "status": status_int}
    if mesg:
        problem["detail"] = mesg
    body = json.dumps(problem).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_problem
