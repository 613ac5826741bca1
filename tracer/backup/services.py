"""``create_backup`` and ``restore_backup``: the database and the stored files, in one archive.

A restore goes into an empty installation (a database without tables, an upload folder
without files) unless the caller forces it, and touches nothing before the whole archive
has been read and checked against its manifest. The stored files go in first (a file
without its record harms nothing), then the database in one step. Afterwards every
table must hold the rows the manifest counted, and the audit chain must hold and still
contain the head the backup recorded, the check ``flask audit verify --expect-head``
makes. Both operations leave an audit event: a backup in the database it copied, a
restore in the database it filled, after the restored events.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from tracer.audit.services import ChainReport, record, verify_chain
from tracer.backup import databases
from tracer.backup.archive import (DATABASE_MEMBERS, UPLOADS, ArchiveWriter, BackupError, Manifest, stage,
                                   upload_files)
from tracer.core.errors import is_storage_full
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.extensions import db


@dataclass
class BackupDone:
    path: Path
    sha256: str
    size: int
    manifest: Manifest


@dataclass
class RestoreDone:
    manifest: Manifest
    chain: ChainReport | None
    files: int
    needs_upgrade: bool


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(config)


def _disk_error(error: OSError, where: Path) -> BackupError:
    if is_storage_full(error):
        return BackupError(_("The disk holding %(folder)s is full: nothing was written. Free some space and try "
                             "again.", folder=where))
    return BackupError(_("%(path)s could not be written or read: %(reason)s",
                         path=error.filename or where, reason=error.strerror or error))


def _database_error(error: Exception) -> BackupError:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:300]
    return BackupError(_("The database could not be read or written: %(reason)s", reason=reason))


# --- backup ---------------------------------------------------------------------------------------


def create_backup(path: str | os.PathLike, force: bool = False) -> BackupDone:
    """Write the database and every stored file to the archive ``path``; an existing file
    is replaced only with ``force``. ``BackupError`` says why not."""
    path = Path(path).absolute()
    try:
        return _backup(path, force)
    except (SQLAlchemyError, sqlite3.Error) as error:
        db.session.rollback()
        raise _database_error(error)


def _backup(path: Path, force: bool) -> BackupDone:
    if path.is_dir():
        raise BackupError(_("%(path)s is a folder; name the backup file to write.", path=path))
    if path.exists() and not force:
        raise BackupError(_("%(path)s already exists; use --force to replace it.", path=path))
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.", folder=path.parent))
    engine = db.engine
    kind = databases.kind_of(engine)
    writer = None
    try:
        writer = ArchiveWriter(path, force)
        with tempfile.TemporaryDirectory(prefix=".tracer-backup-", dir=path.parent) as scratch:
            copy = Path(scratch) / "database"
            state = databases.dump(engine, copy)
            if state.revision is None:
                raise BackupError(_("The database has no schema yet (run flask db upgrade): there is nothing to "
                                    "back up."))
            writer.add_file(DATABASE_MEMBERS[kind], copy)
        for name, source in upload_files(upload_folder()):
            writer.add_file(name, source)
        manifest = Manifest(revision=state.revision, database=kind,
                            created_at=utcnow().astimezone(timezone.utc).isoformat(timespec="seconds"),
                            tables=state.tables, audit_head=state.audit_head, audit_unsealed=state.audit_unsealed)
        writer.add_manifest(manifest)
        digest = writer.close()
    except BaseException as error:
        if writer is not None:
            writer.discard()
        if isinstance(error, OSError):
            raise _disk_error(error, path.parent)
        raise
    size = path.stat().st_size
    record("backup.create", object_type="backup",
           details={"file": str(path), "sha256": digest, "size_bytes": size, "revision": manifest.revision,
                    "files": len(manifest.members) - 1, "rows": sum(manifest.tables.values()),
                    "audit_head": manifest.audit_head})
    db.session.commit()
    return BackupDone(path, digest, size, manifest)


# --- restore --------------------------------------------------------------------------------------


def _check_target(force: bool) -> None:
    if force:
        return
    if not databases.is_empty(db.engine):
        raise BackupError(_("The target database is not empty. A backup is restored into an empty database "
                            "(a new SQLite file, or a database just created on the server, without running "
                            "flask db upgrade); use --force to replace what it holds."))
    if next(upload_files(upload_folder()), None) is not None:
        raise BackupError(_("The upload folder %(folder)s already holds files. A backup is restored into an "
                            "empty folder; use --force to restore over them.", folder=upload_folder()))


def _check_manifest(manifest: Manifest, kind: str) -> bool:
    """Whether the archive fits this installation; returns whether ``db upgrade`` must follow."""
    if manifest.database != kind:
        raise BackupError(_("The backup holds a %(made)s database and the target is %(target)s: restore it into "
                            "a %(made)s database.", made=manifest.database, target=kind))
    scripts = _scripts()
    try:
        known = scripts.get_revision(manifest.revision) is not None
    except (CommandError, KeyError, ValueError):
        known = False
    if not known:
        raise BackupError(_("The backup was made at schema revision %(revision)s, which this release does not know "
                            "(a newer release made it?): restore it with that release.",
                            revision=manifest.revision))
    return manifest.revision != scripts.get_current_head()


def _expected_head(manifest: Manifest) -> tuple[int, str] | None:
    if not manifest.audit_head:
        return None
    seq, _sep, digest = manifest.audit_head.partition(":")
    return int(seq), digest


def _move_uploads(staged, folder: Path, moved: list[Path]) -> None:
    """Move the staged files into ``folder``, noting each in ``moved``."""
    for name in staged.uploads():
        target = folder / name[len(UPLOADS):]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged.path_of(name), 0o600)
        shutil.move(staged.path_of(name), target)
        moved.append(target)


def _take_back(moved: list[Path]) -> None:
    """A restore that failed after moving files leaves the folder as empty as it found it."""
    for target in moved:
        try:
            target.unlink(missing_ok=True)
        except OSError:
            pass


def restore_backup(path: str | os.PathLike, force: bool = False) -> RestoreDone:
    """Restore the archive ``path`` into this installation's (empty) database and upload folder.
    ``BackupError`` says why not; before the archive is checked whole nothing is touched."""
    path = Path(path).absolute()
    try:
        return _restore(path, force)
    except (SQLAlchemyError, sqlite3.Error) as error:
        db.session.rollback()
        raise _database_error(error)


def _restore(path: Path, force: bool) -> RestoreDone:
    engine = db.engine
    kind = databases.kind_of(engine)
    db.session.remove()
    _check_target(force)
    folder = upload_folder()
    staging, moved = None, []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Inside the upload folder (its hidden name keeps it out of any backup), so that the
        # files are moved into place, never copied a second time.
        staging = Path(tempfile.mkdtemp(prefix=".tracer-restore-", dir=folder))
        staged = stage(path, staging)
        needs_upgrade = _check_manifest(staged.manifest, kind)
        _move_uploads(staged, folder, moved)
        databases.load(engine, staged.database_file, replace=force)
    except BaseException as error:
        if not force:
            _take_back(moved)
        if isinstance(error, OSError):
            raise _disk_error(error, folder)
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    manifest = staged.manifest
    restored = databases.state(engine)
    for name, rows in sorted(manifest.tables.items()):
        if restored.tables.get(name) != rows:
            raise BackupError(_("After the restore, table %(table)s holds %(found)s rows where the backup counted "
                                "%(expected)s.", table=name, found=restored.tables.get(name, 0), expected=rows))
    if needs_upgrade:
        # The schema is an earlier release's: the chain is checked, and the restore recorded,
        # once ``db upgrade`` has brought it to this release's models.
        return RestoreDone(manifest, None, len(moved), needs_upgrade)
    chain = verify_chain(expect_head=_expected_head(manifest))
    if not chain.intact:
        raise BackupError(_("The restored audit trail does not hold: %(reason)s (event %(seq)s).",
                            reason=chain.reason, seq=chain.first_bad_seq))
    record("backup.restore", object_type="backup",
           details={"file": str(path), "created_at": manifest.created_at, "revision": manifest.revision,
                    "files": len(moved), "rows": sum(manifest.tables.values()), "audit_head": manifest.audit_head})
    db.session.commit()
    return RestoreDone(manifest, chain, len(moved), needs_upgrade)
