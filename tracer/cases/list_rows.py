"""The rows of the case list, written as one piece of markup.

Twenty-five rows of seven cells drawn by Jinja cost the list page a third of its work: every
value of every row goes through ``escape`` and a ``Markup`` of its own. Here each row is one
format of ``ROW``, each value escaped as ``markupsafe.escape`` escapes it
(``tracer.core.markup``), with the labels and formats the page's template filters use; the
page's template keeps the table around the rows and the labels' translations.
"""
from __future__ import annotations

from collections.abc import Iterable

from jinja2 import pass_context
from markupsafe import Markup

from tracer.cases.forms import priority_labels, status_labels
from tracer.core.i18n import datetime_filter, language_of
from tracer.core.markup import escaped

# One row as the list's template wrote it, whitespace included.
ROW = """
    <tr>
      <td data-label="{l_reference}"><a href="{root}{id}">{reference}</a></td>
      <td data-label="{l_title}" class="truncate" title="{title}">{title}</td>
      <td data-label="{l_agency}"><abbr title="{agency_name}">{agency}</abbr></td>
      <td data-label="{l_status}"><span class="badge">{status}</span></td>
      <td data-label="{l_priority}">{priority}</td>
      <td data-label="{l_lead}">{lead}</td>
      <td data-label="{l_created}"><time datetime="{created_at}">{created}</time></td>
    </tr>
  """


@pass_context
def case_rows(context, cases: Iterable, root: str, labels: dict[str, str]) -> Markup:
    """The rows of ``cases`` (the list's rows, ``case_lists.LISTED_COLUMNS``), each linking to
    ``root`` followed by the case's id; ``labels`` names each cell for the narrow screens' cards
    (``l_reference`` … ``l_created``)."""
    language = language_of(context)
    shown = {name: escaped(text) for name, text in labels.items()}
    root = escaped(root)
    rows = []
    for case in cases:
        rows.append(ROW.format(
            root=root, id=case.id, reference=escaped(case.reference), title=escaped(case.title),
            agency_name=escaped(case.agency_name), agency=escaped(case.agency_acronym),
            status=escaped(language.label(status_labels, case.status)),
            priority=escaped(language.label(priority_labels, case.priority)),
            lead=escaped(case.lead_name) if case.lead_name else "—",
            created_at=escaped(case.created_at.isoformat()), created=escaped(datetime_filter(context, case.created_at)),
            **shown))
    # Safe for B704: every value escaped, the labels escaped or translations (markup) already.
    return Markup("".join(rows))  # nosec B704
