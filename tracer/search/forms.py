"""The serial search form and the words shown for each mode and kind of match."""
from __future__ import annotations

from wtforms.fields import SelectChoice

from tracer.core.forms import PageForm, RadioField, StringField
from tracer.core.i18n import label_filter
from tracer.core.translation import lazy_gettext as _l
from tracer.deconfliction.labels import MATCH_LABELS
from tracer.search.query import MODES

MODE_LABELS = {"exact": _l("Exact"), "partial": _l("Partial"), "fuzzy": _l("Fuzzy")}
MODE_HINTS = {
    "exact": _l("The same serial, ignoring spaces, hyphens and the letter O written for zero."),
    "partial": _l("Part of a serial: at least 3 characters in a row, or 4 anywhere with one ? for each "
                  "unreadable character between them (N?Y6?96). Use ? for one unreadable character and * for "
                  "any number of them; with wildcards the pattern covers the whole serial."),
    "fuzzy": _l("Also serials with look-alike characters (0/O/D/Q, 1/I/L/7, 2/Z, 5/S, 6/G, 8/B, U/V), "
                "one character added, missing or different, two neighbouring characters swapped, or the same "
                "digits with other letters."),
}
# The kinds of match have one wording, the deconfliction room's, wherever a match is shown.
match_label = label_filter(MATCH_LABELS)


class SerialSearchForm(PageForm):
    """A GET form: what was typed stays in the address and on the page. The search
    service checks the values and names the field at fault."""

    class Meta:
        csrf = False

    q = StringField(_l("Serial number"), render_kw={"autocomplete": "off", "spellcheck": "false",
                                                     "autocapitalize": "characters", "maxlength": 128})
    mode = RadioField(_l("Search mode"), default="fuzzy", validate_choice=False,
                      choices=[SelectChoice(mode, MODE_LABELS[mode]) for mode in MODES])
    manufacturer = StringField(_l("Manufacturer (optional)"), render_kw={
        "autocomplete": "off", "list": "manufacturer-options", "data-suggest": "/reference/manufacturers/suggest"})
