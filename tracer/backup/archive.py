"""The backup archive: one uncompressed tar file.

Members, in this order:

- ``database/tracer.sqlite3`` (a SQLite copy) or ``database/tracer.pgdump`` (``pg_dump``'s
  custom format, already compressed);
- ``uploads/…``, every stored photo and document under its server-made name;
- ``manifest.json`` last: format and format version, the Alembic revision, the database
  kind, when the backup was made, the rows of every table, the audit chain's head, and the
  size and SHA-256 of every other member. Written last, it also shows that the archive
  was written to its end: a cut archive has no manifest, or one that does not read.

Photos and PDFs are compressed already, and the PostgreSQL dump is too: compressing the
tar again would cost time for little. The archive is written under a temporary name in
the target's folder, flushed to disk and only then given its name, so a crash or a full
disk never leaves a file that looks like a backup; an existing file is replaced only
when asked.

Reading (``stage``) copies every member into a staging folder while hashing it, then
compares everything with the manifest: nothing of the installation is touched before
the whole archive has been checked.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Iterator

from tracer.core.translation import gettext as _


FORMAT = "tracer-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/tracer.sqlite3", "postgresql": "database/tracer.pgdump"}
UPLOADS = "uploads/"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore cannot go on; ``message`` is already translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Manifest:
    revision: str
    database: str
    created_at: str
    tables: dict[str, int]
    audit_head: str | None
    audit_unsealed: int
    members: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> bytes:
        document = {"format": FORMAT, "format_version": FORMAT_VERSION, "revision": self.revision,
                    "database": self.database, "created_at": self.created_at, "tables": self.tables,
                    "audit_head": self.audit_head, "audit_unsealed": self.audit_unsealed, "members": self.members}
        return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise BackupError(_("The backup's manifest does not read: the archive is damaged."))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(_("The file is not a Tracer backup (its manifest is not one)."))
        if document.get("format_version") != FORMAT_VERSION:
            raise BackupError(_("The backup is in format version %(found)s; this release reads version %(known)s.",
                                found=document.get("format_version"), known=FORMAT_VERSION))
        try:
            manifest = cls(revision=str(document["revision"]), database=str(document["database"]),
                           created_at=str(document["created_at"]),
                           tables={str(k): int(v) for k, v in dict(document["tables"]).items()},
                           audit_head=document.get("audit_head"),
                           audit_unsealed=int(document.get("audit_unsealed") or 0),
                           members={str(k): {"size": int(v["size"]), "sha256": str(v["sha256"])}
                                    for k, v in dict(document["members"]).items()})
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError(_("The backup's manifest is incomplete: the archive is damaged."))
        if manifest.database not in DATABASE_MEMBERS or DATABASE_MEMBERS[manifest.database] not in manifest.members:
            raise BackupError(_("The backup's manifest names no database copy: the archive is damaged."))
        return manifest


class _Hashing(io.RawIOBase):
    """Reads ``source`` and hashes what passes."""

    def __init__(self, source: IO[bytes]):
        self.source, self.digest, self.size = source, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """A tar archive written under a temporary name beside ``path``; ``close`` names it."""

    def __init__(self, path: Path, force: bool):
        self.path, self.force = path, force
        self.members: dict[str, dict[str, Any]] = {}
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        self.temporary = Path(temporary)
        self.file = os.fdopen(descriptor, "wb")
        self.tar = tarfile.open(fileobj=self.file, mode="w", format=tarfile.PAX_FORMAT)

    def add_file(self, name: str, source: Path) -> None:
        """Add the file at ``source`` as ``name``, hashing it on the way."""
        with open(source, "rb") as handle:
            info = self.tar.gettarinfo(fileobj=handle, arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o600
            reader = _Hashing(handle)
            self.tar.addfile(info, reader)
        if reader.size != info.size:  # the file changed while it was copied
            raise BackupError(_("%(name)s changed while it was copied; run the backup again.", name=name))
        self.members[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}

    def add_manifest(self, manifest: Manifest) -> None:
        manifest.members = dict(self.members)
        data = manifest.as_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, int(os.path.getmtime(self.temporary))
        self.tar.addfile(info, io.BytesIO(data))

    def close(self) -> str:
        """Finish the archive, flush it to disk and give it its name; returns its SHA-256."""
        self.tar.close()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        digest = file_sha256(self.temporary)
        if self.force:
            os.replace(self.temporary, self.path)
        else:
            try:
                os.link(self.temporary, self.path)  # fails, rather than replaces, if the name was taken meanwhile
            except FileExistsError:
                raise BackupError(_("%(path)s already exists; use --force to replace it.", path=self.path))
            self.temporary.unlink()
        _sync_folder(self.path.parent)
        return digest

    def discard(self) -> None:
        for closing in (self.tar.close, self.file.close):
            try:
                closing()
            except (OSError, ValueError, tarfile.TarError):
                pass
        self.temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(COPY_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def upload_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every stored file under ``folder`` as (archive name, path), in a fixed order; files
    being written (``….part``, temporary names) are left out."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.name.endswith(".part"):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        yield UPLOADS + relative.as_posix(), path


def safe_member_name(name: str) -> bool:
    """A member name that stays inside the staging folder."""
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name \
        and "\x00" not in name and (name == MANIFEST or name in DATABASE_MEMBERS.values() or name.startswith(UPLOADS))


@dataclass
class Staged:
    """An archive checked whole and copied into ``folder``."""

    folder: Path
    manifest: Manifest

    def path_of(self, name: str) -> Path:
        return self.folder / name

    @property
    def database_file(self) -> Path:
        return self.path_of(DATABASE_MEMBERS[self.manifest.database])

    def uploads(self) -> list[str]:
        return sorted(name for name in self.manifest.members if name.startswith(UPLOADS))


def stage(path: Path, folder: Path) -> Staged:
    """Copy every member of the archive at ``path`` into ``folder`` and check it against the
    manifest (names, sizes, SHA-256). ``BackupError`` says what is wrong, in the reader's language."""
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist or is not a file.", path=path))
    if not tarfile.is_tarfile(path):
        raise BackupError(_("%(path)s is not a Tracer backup (not a tar archive).", path=path))
    found: dict[str, dict[str, Any]] = {}
    manifest_data = None
    try:
        with tarfile.open(path, mode="r:") as tar:
            for member in tar:
                if manifest_data is not None:
                    raise BackupError(_("The archive holds files after its manifest: it is not a Tracer backup."))
                if not member.isfile() or not safe_member_name(member.name) or member.name in found:
                    raise BackupError(_("The archive holds an unexpected entry (%(name)s): it is not a Tracer "
                                        "backup.", name=member.name[:200]))
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    if member.size > MANIFEST_MAX_BYTES:
                        raise BackupError(_("The backup's manifest does not read: the archive is damaged."))
                    manifest_data = source.read()
                    if len(manifest_data) != member.size:
                        raise BackupError(_("The archive is incomplete (cut short): it ends inside %(name)s.",
                                            name=member.name))
                    continue
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "xb") as out:
                    for chunk in iter(lambda: source.read(COPY_CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if size != member.size:
                    raise BackupError(_("The archive is incomplete (cut short): it ends inside %(name)s.",
                                        name=member.name))
                found[member.name] = {"size": size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, EOFError):
        raise BackupError(_("The archive is damaged or incomplete (cut short); it cannot be read to its end."))
    if manifest_data is None:
        raise BackupError(_("The archive is incomplete: it has no manifest (a backup cut short, or not a Tracer "
                            "backup)."))
    manifest = Manifest.from_json(manifest_data)
    for name, expected in sorted(manifest.members.items()):
        got = found.get(name)
        if got is None:
            raise BackupError(_("The archive lacks %(name)s, which its manifest lists.", name=name))
        if got != expected:
            raise BackupError(_("%(name)s does not match its SHA-256 in the manifest: the archive is damaged or "
                                "was altered.", name=name))
    extra = sorted(set(found) - set(manifest.members))
    if extra:
        raise BackupError(_("The archive holds %(name)s, which its manifest does not list.", name=extra[0]))
    return Staged(folder, manifest)
