"""A backup that meets a full disk says so in the operator's language and leaves no file,
whole or partial, where it was writing."""
from __future__ import annotations

import errno
import os

from tracer.backup import archive


def test_a_full_disk_leaves_no_backup_behind(app, tmp_path, monkeypatch):
    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(archive.os, "fsync", full)  # the archive's last blocks find no room
    done = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "tracer.tar")])
    assert done.exit_code == 1
    assert "No se escribió el respaldo: El disco de" in done.output and "está lleno" in done.output
    assert list(tmp_path.iterdir()) == []
