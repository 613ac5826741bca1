"""What a CSV import did, or would do: the counts and the problems, row by row.

Shared by every import (seizures, trace results). The report is what the
command line prints and the upload page shows. Every message is already
translated when it is stored here; line numbers are those of the CSV file as a
spreadsheet shows them (the header is line 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.core.translation import ngettext


# How many problems a report lists; the rest are counted.
MAX_SHOWN = 200
# How much of an offending value a report repeats.
VALUE_SHOWN = 60

ERROR, SKIPPED, WARNING = "error", "skipped", "warning"
SEVERITY_LABELS = {ERROR: _l("Error"), SKIPPED: _l("Not imported"), WARNING: _l("Warning")}

IMPORTED, PARTIAL, REJECTED = "imported", "partial", "rejected"


def shorten(value: str | None, limit: int = VALUE_SHOWN) -> str | None:
    """``value`` cut to ``limit`` characters, with an ellipsis when cut."""
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about a row: where, what and why."""

    line: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = ERROR

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])

    def describe(self) -> str:
        """One line for the command line, in the user's language."""
        place = []
        if self.line is not None:
            place.append(_("line %(line)d", line=self.line))
        if self.column:
            place.append(_("column %(column)s", column=self.column))
        if self.value:
            place.append(_("value “%(value)s”", value=self.value))
        prefix = ", ".join(place)
        label = self.severity_label
        return f"{label}: {prefix}: {self.message}" if prefix else f"{label}: {self.message}"


@dataclass
class BaseImportReport:
    """Counts and problems of one import; each import says its headline and its counts.

    ``outcome`` is ``imported`` (every new row written), ``partial`` (the good
    rows written, the rest reported) or ``rejected`` (nothing written). A dry
    run reports the outcome the import would have had and writes nothing.
    """

    dry_run: bool = False
    partial: bool = False
    outcome: str = REJECTED
    rows: int = 0
    imported_rows: int = 0
    already_imported: int = 0
    error_rows: int = 0
    errors: int = 0
    warnings: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    # What the file's rows matched outside the importing user's scope (restricted answers,
    # already worded and translated), and whether the user's disclosure budget is spent.
    restricted: list[str] = field(default_factory=list)
    restricted_limit: str | None = None

    @property
    def rejected(self) -> bool:
        return self.outcome == REJECTED

    def stopped(self, message: str) -> None:
        """The import stopped before writing anything (its transaction rolled back), for ``message``."""
        self.outcome, self.imported_rows = REJECTED, 0
        self.errors += 1
        self.problems = [Problem(None, None, None, message), *self.problems][:MAX_SHOWN]

    @property
    def problem_count(self) -> int:
        return self.errors + self.warnings + self.skipped

    @property
    def hidden_problems(self) -> int:
        return max(0, self.problem_count - len(self.problems))

    # What a partial import writes, said by each import: (dry run, real run).
    PARTIAL_HEADLINES: ClassVar[tuple] = ()

    def headline(self) -> str:
        """One sentence saying what happened, in the user's language."""
        if self.dry_run:
            if self.rejected:
                return _("Dry run: the file would be rejected. Nothing was written.")
            if self.outcome == PARTIAL:
                return str(self.PARTIAL_HEADLINES[0])
            return _("Dry run: the file would be imported. Nothing was written.")
        if self.rejected:
            return _("The file was rejected: nothing was written.")
        if self.outcome == PARTIAL:
            return str(self.PARTIAL_HEADLINES[1])
        if not self.imported_rows and self.already_imported:
            return _("Nothing new: every row had already been imported.")
        return _("The file was imported.")

    def counts(self) -> list[tuple[str, int]]:
        raise NotImplementedError

    def lines(self) -> list[str]:
        """The whole report as text lines: headline, counts, problems, and how many more."""
        out = [self.headline()]
        if self.unknown_columns:
            out.append(_("Columns ignored (not part of the format): %(columns)s",
                         columns=", ".join(self.unknown_columns)))
        out.extend(f"  {label}: {number}" for label, number in self.counts())
        if self.restricted or self.restricted_limit:
            out.append(_("Records of other agencies:"))
            out.extend(f"  {line}" for line in [*self.restricted, *([self.restricted_limit] if self.restricted_limit
                                                                    else [])])
        if self.problems:
            out.append(_("Problems (the first %(shown)d of %(total)d):", shown=len(self.problems),
                         total=self.problem_count))
            out.extend(f"  {problem.describe()}" for problem in self.problems)
        if self.hidden_problems:
            out.append(ngettext("… and %(num)d more problem not listed.", "… and %(num)d more problems not listed.",
                                self.hidden_problems))
        return out
