"""gunicorn settings for the API processes (read from the working directory by default).

Anything here can still be overridden on the command line (``--workers``, ``--bind``…).
"""

import gc
import os

wsgi_app = "market.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads, chosen by measurement (bench/load.py, catalogue at 50 users, docs/performance.md):
# with the catalogue's answers in Redis most requests wait on Redis, PostgreSQL or the socket
# rather than compute, and a threaded worker keeps client connections alive where a sync
# worker closes each one. 2 workers x 8 threads answered ~400 requests/s (p95 250 ms) where
# 2 sync workers answered ~290, 4 sync workers fewer, and uvicorn workers (ASGI, the sync
# Django views run in a thread pool) fewer still.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# gunicorn's control socket sits at one fixed path per user (~/.gunicorn/gunicorn.ctl): two API
# processes on one machine (the Procfile's web1 and web2) would take it from each other. We
# drive gunicorn with signals, as the docs say; no socket.
control_socket_disable = True
# How long an idle client connection is kept open for its next request. gunicorn's default,
# 2 s, is shorter than any client or load balancer keeps an idle connection for reuse: a
# client that sends its next request just as the server closes the connection gets a reset
# (bench/load.py saw it at 200 users). Above the load balancers' usual idle timeout (60 s),
# so that the balancer, not the server, closes an idle connection; a threaded worker holds an
# idle connection in its poller, not in a thread.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))


def post_worker_init(worker):
    # Build the GraphQL schema now, then move every object alive so far out of the garbage
    # collector's sight: the long-lived schema and modules no longer make each full collection
    # (triggered by the short-lived objects of a listing page) walk them again.
    from market.graphql.schema import schema  # noqa: F401

    gc.collect()
    gc.freeze()


def on_starting(server):
    # Metrics of several processes (PROMETHEUS_MULTIPROC_DIR): the files a previous run's
    # processes left are removed before the first worker counts anything.
    from market.core.metrics import multiprocess_dir_prepare

    multiprocess_dir_prepare()


def child_exit(server, worker):
    from market.core.metrics import multiprocess_process_exited

    multiprocess_process_exited(worker.pid)
