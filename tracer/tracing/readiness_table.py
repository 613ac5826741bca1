"""The table of the identifiers a trace needs (a firearm page, a draft request), written as one
piece of markup.

Drawn by Jinja macros, a badge macro a row, its dozen rows cost a firearm page a twentieth of its
work. Here each row is one format of ``ROW``, each value escaped as ``markupsafe.escape`` escapes
it (``tracer.core.markup``), and the words of the table are looked up once per language.
"""
from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup

from tracer.core.i18n import language_of
from tracer.core.markup import escaped
from tracer.core.translation import lazy_gettext as _l
from tracer.tracing.readiness import Readiness

NEEDS_A_FIX = ("missing", "suspect")

TABLE = """
<table class="table table--dense table--cards table--rows">
  <caption class="visually-hidden">{caption}</caption>
  <thead><tr><th scope="col">{identifier}</th><th scope="col">{value}</th><th scope="col">{state}</th><th scope="col">{why}</th></tr></thead>
  <tbody>{rows}
  </tbody>
</table>
"""
ROW = """
    <tr data-identifier="{field}" data-state="{state}">
      <th scope="row">{label}</th>
      <td data-label="{l_value}">{value}</td>
      <td data-label="{l_state}"><span class="badge {badge}">{state_label}</span></td>
      <td data-label="{l_why}">{reasons}{fix}</td>
    </tr>"""
BADGES = {"missing": "badge--failure", "suspect": "badge--warn", "not_needed": "badge--muted",
          "depends": "badge--muted"}


def _words() -> dict[str, str]:
    return {"caption": _l("Identifiers a trace needs"), "identifier": _l("Identifier"), "value": _l("Value"),
            "state": _l("State"), "why": _l("Why"), "fix": _l("Fix"),
            "missing": _l("Missing"), "suspect": _l("Check"), "not_needed": _l("Not needed"),
            "depends": _l("Depends on the country"), "present": _l("Present")}


@pass_context
def readiness_table(context, readiness: Readiness, may_fix: bool) -> Markup:
    """Each identifier of ``readiness``: its value, present, missing or to check, why, and (for
    a reader who may fix it) a link to the field that fixes it."""
    words = {name: escaped(text) for name, text in language_of(context).mapping(_words).items()}
    rows = []
    for check in readiness.checks:
        if check.field == "serial_number" and check.value:
            value = f'<span class="serial">{escaped(check.value)}</span>'
        else:
            value = escaped(check.value) if check.value else "—"
        fix = (f' <a href="{escaped(readiness.fix_url(check.field))}">{words["fix"]}</a>'
               if may_fix and check.state in NEEDS_A_FIX else "")
        rows.append(ROW.format(
            field=escaped(check.field), state=escaped(check.state), label=escaped(check.label), value=value,
            badge=BADGES.get(check.state, "badge--success"), state_label=words.get(check.state, words["present"]),
            reasons="<br>".join(escaped(reason) for reason in check.reasons), fix=fix,
            l_value=words["value"], l_state=words["state"], l_why=words["why"]))
    # Safe for B704: every value escaped, the words translations escaped as text.
    return Markup(TABLE.format(rows="".join(rows), **words))  # nosec B704
