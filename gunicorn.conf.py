"""gunicorn settings: `gunicorn wsgi:app` serves the production configuration."""
import multiprocessing
import os

os.environ.setdefault("TRACER_ENV", "production")

bind = os.environ.get("TRACER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACER_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
forwarded_allow_ips = os.environ.get("TRACER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"


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
