"""Installations on disk for the backup tests: a database URL and an upload folder, driven
through ``flask --app wsgi`` as an operator would."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, table, text

from tracer import ROOT

# A photo of a firearm (through the upload service, audited) and a document of its case.
ADD_FILES = """
import io
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from tests import factories
from tracer import create_app
from tracer.extensions import db
from tracer.firearms import files
from tracer.firearms.models import Firearm

app = create_app()
with app.app_context():
    firearm = db.session.scalars(select(Firearm).order_by(Firearm.id).limit(1)).one()
    user = factories.user("officer", firearm.case.owner_agency, username="backup.photo")
    factories.photo(firearm, user, data=factories.png_bytes((12, 9), "blue"))
    document = files.check_file(FileStorage(io.BytesIO(b"%PDF-1.4\\n% oficio\\n%%EOF\\n"), filename="oficio.pdf"),
                                "document")
    files.store(document, user=user, purpose="case_document", field="document",
                owner=("case_id", firearm.case_id), case_id=firearm.case_id)
    db.session.commit()
"""


@dataclass
class Installation:
    database_url: str
    uploads: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
        env.update(TRACER_ENV="development", TRACER_DATABASE_URL=self.database_url,
                   TRACER_UPLOAD_FOLDER=str(self.uploads), TRACER_SECRET_KEY="backup-test-secret", **extra)
        return env

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env(),
                              capture_output=True, text=True, timeout=600)
        if check:
            assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def populate(self) -> None:
        """Migrated, demo data, a photo and a case document, every audit event sealed."""
        self.flask("db", "upgrade")
        self.flask("seed-demo", "--firearms", "6")
        done = subprocess.run([sys.executable, "-c", ADD_FILES], cwd=ROOT, env=self.env(), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        self.flask("audit", "seal", "--once")

    def head(self) -> str:
        return self.flask("audit", "verify").stdout.strip().splitlines()[-1].removeprefix("head: ")

    def rows(self) -> dict[str, list[tuple]]:
        """Every row of every table, in primary-key order."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                found = {}
                for name in inspect(connection).get_table_names():
                    columns = inspect(connection).get_pk_constraint(name)["constrained_columns"]
                    statement = select(text("*")).select_from(table(name))
                    if columns:
                        statement = statement.order_by(*(text(f'"{column}"') for column in columns))
                    found[name] = [tuple(row) for row in connection.execute(statement)]
                return found
        finally:
            engine.dispose()

    def files(self) -> dict[str, bytes]:
        if not self.uploads.is_dir():
            return {}
        return {path.relative_to(self.uploads).as_posix(): path.read_bytes()
                for path in sorted(self.uploads.rglob("*")) if path.is_file()}
