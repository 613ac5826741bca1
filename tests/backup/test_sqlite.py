"""``flask backup`` and ``flask restore`` on SQLite: a restored installation holds every
record and stored file of the one backed up, its audit trail verifies against the head
recorded before the backup, and a bad archive is refused before anything is touched."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.backup.helpers import Installation


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Installation:
    folder = tmp_path_factory.mktemp("source")
    installation = Installation(f"sqlite:///{folder / 'tracer.db'}", folder / "uploads")
    installation.populate()
    return installation


@pytest.fixture(scope="module")
def backed_up(source, tmp_path_factory):
    """The source's rows, files and audit head just before its backup, and the archive."""
    before = {"rows": source.rows(), "files": source.files(), "head": source.head()}
    archive = tmp_path_factory.mktemp("archives") / "tracer-backup.tar"
    done = source.flask("backup", str(archive), "--lang", "en")
    assert "Backup written" in done.stdout
    return before, archive


def empty(tmp_path: Path, name: str = "target") -> Installation:
    return Installation(f"sqlite:///{tmp_path / (name + '.db')}", tmp_path / f"{name}-uploads")


def test_a_restore_into_an_empty_installation_brings_back_every_record_and_file(backed_up, tmp_path):
    before, archive = backed_up
    assert len(before["files"]) == 2  # the photo and the case document
    target = empty(tmp_path)
    done = target.flask("restore", str(archive))
    assert "restaurado" in done.stdout and "auditoría" in done.stdout

    rows = target.rows()
    restored_events = rows.pop("audit_events")
    expected_events = before["rows"].pop("audit_events")
    assert rows == before["rows"]
    # The audit trail is the backed-up one, then the restore itself.
    assert restored_events[:len(expected_events)] == expected_events
    assert len(restored_events) == len(expected_events) + 1 and "backup.restore" in restored_events[-1]
    assert target.files() == before["files"]

    verified = target.flask("audit", "verify", "--expect-head", before["head"])
    assert f"audit chain intact: {len(expected_events) + 1} events" in verified.stdout


def test_the_archive_lists_its_members_with_their_hashes(backed_up):
    before, archive = backed_up
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "database/tracer.sqlite3" and names[-1] == "manifest.json"
    assert sorted(name for name in names if name.startswith("uploads/")) == sorted(
        "uploads/" + name for name in before["files"])
    assert manifest["format"] == "tracer-backup" and manifest["database"] == "sqlite"
    assert manifest["audit_head"] == before["head"]
    assert manifest["tables"]["firearms"] == len(before["rows"]["firearms"])
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    assert all(len(member["sha256"]) == 64 for member in manifest["members"].values())


def test_an_existing_file_is_replaced_only_with_force(source, backed_up, tmp_path):
    _, archive = backed_up
    existing = tmp_path / "taken.tar"
    existing.write_bytes(b"an earlier file")
    refused = source.flask("backup", str(existing), check=False)
    assert refused.returncode == 1
    assert "ya existe" in refused.stderr and "--force" in refused.stderr
    assert existing.read_bytes() == b"an earlier file"
    source.flask("backup", str(existing), "--force")
    assert tarfile.is_tarfile(existing)
    assert [path.name for path in tmp_path.iterdir()] == ["taken.tar"]  # no temporary file left behind


def test_a_database_that_is_not_empty_is_refused_unless_forced(backed_up, tmp_path):
    before, archive = backed_up
    target = empty(tmp_path)
    target.flask("db", "upgrade")
    refused = target.flask("restore", str(archive), check=False)
    assert refused.returncode == 1 and "no está vacía" in refused.stderr
    assert target.files() == {}

    target.flask("restore", str(archive), "--force")
    assert target.rows()["firearms"] == before["rows"]["firearms"]
    target.flask("audit", "verify", "--expect-head", before["head"])


def _rewritten(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` whose members pass through ``change(name, data) -> data``."""
    with tarfile.open(archive) as tar, tarfile.open(out, "w") as copy:
        for member in tar.getmembers():
            data = change(member.name, tar.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return out


def _manifest_change(**fields):
    def change(name, data):
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), **fields}).encode()
    return change


def _one_byte_flipped(name, data):
    if name.startswith("uploads/") and name.endswith(".png"):
        return data[:-1] + bytes([data[-1] ^ 0xFF])
    return data


BAD_ARCHIVES = {
    "truncated": (lambda archive, out: out.write_bytes(archive.read_bytes()[:archive.stat().st_size // 2]) and out,
                  "incompleto"),
    "wrong checksum": (lambda archive, out: _rewritten(archive, out, _one_byte_flipped), "no coincide con su SHA-256"),
    "wrong revision": (lambda archive, out: _rewritten(archive, out, _manifest_change(revision="0000deadbeef")),
                       "revisión del esquema 0000deadbeef"),
    "not an archive": (lambda archive, out: out.write_text("external_id,seizure_ref\n1,A\n") and out,
                       "no es un respaldo de Tracer"),
    "no manifest": (lambda archive, out: _rewritten(archive, out, lambda name, data: data) and _dropped(out),
                    "no tiene manifiesto"),
}


def _dropped(path: Path) -> Path:
    with tarfile.open(path) as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar.getmembers()
                   if member.name != "manifest.json"]
    with tarfile.open(path, "w") as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", sorted(BAD_ARCHIVES))
def test_a_bad_archive_is_refused_clearly_and_nothing_is_touched(backed_up, tmp_path, kind):
    _, archive = backed_up
    make, said = BAD_ARCHIVES[kind]
    bad = make(archive, tmp_path / "bad.tar")
    target = empty(tmp_path)
    refused = target.flask("restore", str(bad), check=False)
    assert refused.returncode == 1
    assert said in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    assert target.rows() == {} and target.files() == {}
    assert [path.name for path in target.uploads.iterdir()] == []  # the staged copy is gone


def test_the_refusal_reads_in_english_when_asked(backed_up, tmp_path):
    refused = empty(tmp_path).flask("restore", str(tmp_path / "missing.tar"), "--lang", "en", check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"Restore failed: {tmp_path / 'missing.tar'} does not exist or is not a file."


def test_an_upload_folder_that_holds_files_is_refused_unless_forced(backed_up, tmp_path):
    _, archive = backed_up
    target = empty(tmp_path)
    (target.uploads / "ab").mkdir(parents=True)
    (target.uploads / "ab" / "earlier.jpg").write_bytes(b"\xff\xd8\xff earlier")
    refused = target.flask("restore", str(archive), check=False)
    assert refused.returncode == 1 and "ya contiene archivos" in refused.stderr
    assert target.rows() == {}


def test_a_backup_of_an_earlier_schema_is_restored_then_upgraded(tmp_path):
    from tests.core.test_migrations import head_revision
    from tests.core.test_fresh_install import _revision

    earlier = _revision(head_revision()).down_revision
    source = empty(tmp_path, "earlier")
    source.flask("db", "upgrade", earlier)
    archive = tmp_path / "earlier.tar"
    source.flask("backup", str(archive))

    target = empty(tmp_path)
    done = target.flask("restore", str(archive))
    assert f"revisión {earlier}" in done.stdout and "flask db upgrade" in done.stdout
    target.flask("db", "upgrade")
    target.flask("audit", "verify")
