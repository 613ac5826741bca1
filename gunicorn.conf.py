"""gunicorn settings: `gunicorn wsgi:app` serves the production configuration.

Workers: chosen by measurement (tests/bench/http_load.py, figures below). Override with
TRACER_WORKERS, TRACER_WORKER_CLASS (sync or gthread) and TRACER_THREADS.
"""
import multiprocessing
import os

os.environ.setdefault("TRACER_ENV", "production")

bind = os.environ.get("TRACER_BIND", "127.0.0.1:8000")
# gthread, one process per core, 4 threads each: measured with tests/bench/http_load.py on
# the 2-core development machine (PostgreSQL and Redis on the same machine, 16 clients,
# production configuration, demo data, 8-12 s runs, settings interleaved, 2 to 7 runs each;
# other work kept the load average at 6-9, so requests per second vary from run to run and
# CPU per request is the steadier figure). Median of the runs:
#
#   setting       runs  firearm page                  serial-search API (token)
#                       req/s  p50 ms  p95 ms  CPU ms  req/s  p50 ms  p95 ms  CPU ms
#   sync 5 (old)    5    17     916    1064    28-30    76     208     253    6.0-6.5
#   sync 2          5    23     700     852    20-24    94     160     237    4.5-5.6
#   sync 3          5    22     716     798    23-27    98     165     209    4.8-6.0
#   gthread 1x8     2    39     378     634    17-18   168      90     159    3.5-3.6
#   gthread 2x4     7    45     340     743    18-24   178      77     162    3.8-4.8
#   gthread 2x6     2    41     405     572    19-20   168     101     147    3.9-4.2
#   gthread 2x8     5    46     358     578    18-20   154     100     169    3.8-4.6
#   gthread 3x4     5    43     331     759    19-21   153      94     209    3.6-4.5
#
# The release before these settings (sync 5, a pinged pool, two statements to find a token's
# user, three Redis calls per limited request) measured between them: firearm page
# 13-44 req/s at 27-33 CPU ms, serial-search API 61-193 req/s at 7.1-8.1 CPU ms.
# Again at a quieter moment (load average 4-5), with the firearm page's rows no longer read
# twice, two interleaved 6 s rounds each (both rounds shown):
#
#   setting              firearm page                      serial-search API (token)
#                        req/s    p50 ms   p95 ms  CPU ms   req/s    p50 ms  p95 ms  CPU ms
#   previous release,    66-68   219-241  276-310   23      258-287   52-62   69-73   5.2-5.8
#     sync 5
#   sync 5               95-97   164-167  189-195   16      272-309   53-59   61-67   4.8-5.3
#   gthread 2x4         101-106  152-184  235-260  13-14    296-301   53-65   74-82   3.6-3.9
#
# Again on the bench register (1,000,000 firearms, make bench), against the bare baseline of
# tests/bench/baseline_app.py served with the same setting, 16 clients, 5 s runs, after the
# page work of this release (prepared statements kept, one language lookup per render, lean
# form markup). Other work kept the load average at 10-13, so req/s is shown for the record
# only; the CPU the gunicorn processes spent per request is the figure to compare:
#
#   setting       baseline (cookie)  case list      case page      firearm page   serial-search API
#                 req/s  CPU ms      req/s  CPU ms  req/s  CPU ms  req/s  CPU ms  req/s  CPU ms
#   gthread 2x4    373    1.5          63    9.7      52    7.6      39   13.9     127    4.4
#   gthread 3x4    596    1.5         105   10.0     162    6.8      59   14.4     156    4.9
#   gthread 2x8    777    1.3          92   10.4      92    7.0      65   14.1     189    3.7
#   sync 3         152    2.1          22   13.4      30   10.2      22   19.1      64    6.9
#
# sync spends a third more CPU on every request (the load generator's keep-alive connection
# is closed after each answer, and each process holds a connection pool of its own); the
# gthread settings stay within the noise of each other, so 2x4 stays.
#
# gthread keeps connections open between requests and shares each process's connection pools
# among its threads; sync workers spend a new connection and a process switch per request,
# and more processes only compete for the same two cores. Between the gthread settings the
# differences are within the noise; 2x4 keeps a process per core (one busy page does not
# hold the other core's work behind one interpreter lock) and needs no more database
# connections per process than the pool's 5. gthread also keeps a slow client from holding
# a whole process when the load balancer does not buffer requests.
workers = int(os.environ.get("TRACER_WORKERS") or multiprocessing.cpu_count())
worker_class = os.environ.get("TRACER_WORKER_CLASS") or "gthread"
threads = int(os.environ.get("TRACER_THREADS") or 4)
forwarded_allow_ips = os.environ.get("TRACER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("TRACER_ACCESS_LOG", "-") or None


def post_worker_init(worker):
    # The application's start-up objects live as long as the worker: keep them out of
    # the garbage collector's full passes, which otherwise add milliseconds to requests.
    import gc

    gc.collect()
    gc.freeze()


# --- the audit sealer, started beside the workers --------------------------------------------------
# Requests append audit events unsealed; one sealer process (`flask --app wsgi audit seal`)
# chains them (see tracer/audit/sealer.py). By default this master starts it once it is ready
# and stops it on shutdown; the sealer rides out database restarts and errors by itself. On
# several hosts each master starts one: one works, the others wait, ready to take over.
# TRACER_AUDIT_SEALER=external leaves it to a service of its own (systemd, a container) that
# runs the same command and restarts it. The chain head is published to
# TRACER_AUDIT_HEAD_FILE (default instance/audit-head) for `audit verify --expect-head`.
# (No thread here: workers are forked from this process.)
_sealer = {}


def _sealer_wanted() -> bool:
    external = os.environ.get("TRACER_AUDIT_SEALER", "").strip().lower() in {"external", "off", "0", "no"}
    return not external and os.environ.get("TRACER_DATABASE_URL", "").startswith("postgresql")


def when_ready(server):
    if not _sealer_wanted():
        return
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent
    head_file = os.environ.get("TRACER_AUDIT_HEAD_FILE") or str(root / "instance" / "audit-head")
    _sealer["process"] = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "seal", "--head-file", head_file], cwd=root)
    server.log.info("audit sealer started (pid %s)", _sealer["process"].pid)


def on_exit(server):
    process = _sealer.get("process")
    if process is not None and process.poll() is None:
        process.terminate()  # the sealer finishes or undoes its batch, then stops
        try:
            process.wait(timeout=20)
        except Exception:  # noqa: BLE001  (it would not stop: stop it)
            process.kill()
