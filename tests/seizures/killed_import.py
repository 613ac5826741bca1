"""A seizure import in a process of its own, for the test that kills it mid-write
(``test_import_killed``). Run as ``python -m tests.seizures.killed_import DATABASE_URL
setup`` (migrate, create the importing agency) or ``… DATABASE_URL import FILE
[--partial]``: the import prints ``written N`` after each batch, so that the test knows
the write pass is under way, and finally the outcome and the rows it imported."""
from __future__ import annotations

import sys

from config import TestConfig
from tracer import create_app


def main(url: str, step: str, *args: str) -> None:
    app = create_app(type("KilledImportConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        from flask_babel import force_locale
        from flask_migrate import upgrade

        from tests import factories
        from tracer.auth.services import agency_by_acronym
        from tracer.extensions import db
        from tracer.seizures.importing import AgencyActor, import_seizures

        if step == "setup":
            upgrade()
            factories.agency("FGR")
            db.session.commit()
            return

        def progress(phase, done, total):
            if phase == "write":
                print(f"written {done}", flush=True)

        with open(args[0], "rb") as stream, force_locale("en"):
            report = import_seizures(AgencyActor(agency_by_acronym("FGR")), stream, partial="--partial" in args,
                                     progress=progress)
        print(f"{report.outcome} {report.imported_rows} {report.already_imported}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
