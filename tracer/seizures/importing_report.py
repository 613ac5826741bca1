"""What a seizure import did, or would do: the counts and the problems, row by row.

The problems and the report's shape are shared with the other imports
(``tracer.core.import_report``); a seizure import counts seizures and cases too.
"""
from __future__ import annotations

from dataclasses import dataclass


from tracer.core.import_report import (ERROR, IMPORTED, MAX_SHOWN, PARTIAL, REJECTED, SEVERITY_LABELS, SKIPPED,
                                       VALUE_SHOWN, WARNING, BaseImportReport, Problem, shorten)
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l

__all__ = ["ERROR", "IMPORTED", "MAX_SHOWN", "PARTIAL", "REJECTED", "SEVERITY_LABELS", "SKIPPED", "VALUE_SHOWN",
           "WARNING", "ImportReport", "Problem", "shorten"]


@dataclass
class ImportReport(BaseImportReport):
    """Counts and problems of one seizure import.

    ``outcome`` is ``imported`` (every new row written), ``partial`` (with
    ``--partial``: the good seizures written, the rest reported) or
    ``rejected`` (nothing written). ``skipped`` counts the seizures left out
    whole because one of their rows has errors.
    """

    seizures: int = 0
    cases: int = 0
    skipped_rows: int = 0

    @property
    def skipped_seizures(self) -> int:
        return self.skipped

    @skipped_seizures.setter
    def skipped_seizures(self, value: int) -> None:
        self.skipped = value

    PARTIAL_HEADLINES = (
        _l("Dry run: only the seizures without errors would be imported. Nothing was written."),
        _l("Partial import: the seizures without errors were written; the rest were not."),
    )

    def counts(self) -> list[tuple[str, int]]:
        """(label, number) pairs, in the order a person reads them."""
        would = self.dry_run
        return [
            (_("Rows read"), self.rows),
            (_("Firearms to import") if would else _("Firearms imported"), self.imported_rows),
            (_("Seizures to create") if would else _("Seizures created"), self.seizures),
            (_("Cases to open") if would else _("Cases opened"), self.cases),
            (_("Rows already imported"), self.already_imported),
            (_("Rows with errors"), self.error_rows),
            (_("Rows not imported because another row of their seizure has errors"), self.skipped_rows),
            (_("Warnings"), self.warnings),
        ]
