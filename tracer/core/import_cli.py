"""The ``flask import …`` command group and how each import runs from a terminal."""
from __future__ import annotations

import os
import sys
from typing import Callable

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from tracer.core.translation import gettext as _

import_cli = AppGroup("import", help="Import records from CSV files (UTF-8, header row, comma).")


class ProgressBars:
    """A progress bar per phase on standard error (only when it is a terminal)."""

    def __init__(self, size: int | None):
        self.size, self.phase, self.bar, self.done = size, None, None, 0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase != self.phase:
            self.close()
            length = self.size if phase == "check" else total
            if not length:
                return
            label = _("Checking") if phase == "check" else _("Writing")
            self.phase, self.done = phase, 0
            self.bar = click.progressbar(length=length, label=label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def fail(message: str) -> None:
    """Stop a command over its arguments (exit status 2)."""
    click.echo(message, err=True)
    raise SystemExit(2)


def run_import(file, locale: str, run: Callable) -> None:
    """Run ``run(source=…, progress=…)`` on an opened ``file`` in ``locale``, print its report and
    exit 1 when the file was rejected, 0 otherwise. Progress bars show only on a terminal."""
    size = None
    try:
        size = os.fstat(file.fileno()).st_size or None
    except (OSError, ValueError, AttributeError):
        pass
    bars = ProgressBars(size) if sys.stderr.isatty() else None
    with force_locale(locale):
        try:
            report = run(source=os.path.basename(file.name or "") or None, progress=bars)
        finally:
            if bars is not None:
                bars.close()
        for line in report.lines():
            click.echo(line)
    raise SystemExit(1 if report.rejected else 0)
