"""The dealer watch list page (``/dealers``) and its JSON twin (``/api/v1/dealers``)."""
from __future__ import annotations

from datetime import date

from flask import jsonify, render_template, request
from flask_login import current_user
from pydantic import BaseModel, Field
from wtforms import Form
from wtforms.fields import SelectChoice

from tracer.api.openapi import operation
from tracer.api.views import bp as api_bp
from tracer.core.errors import ValidationFailed
from tracer.core.forms import SelectField, StringField, show_errors
from tracer.core.translation import lazy_gettext as _l
from tracer.geo.catalog import us_states
from tracer.tracing.dealers import (ATF_SHORT_TTC_THRESHOLD, FIRST_YEAR, DealerFilters, DealerList, dealer_json,
                                    dealer_watch_list)
from tracer.tracing.views import bp, requesters

NAMES = ("year", "recovered_from", "recovered_to", "us_state")


class DealerFilterForm(Form):
    """The dealer watch list's filters, read from the query string."""

    year = SelectField(_l("Year of recovery"), validate_choice=False)
    recovered_from = StringField(_l("Recovered from"), render_kw={"type": "date"})
    recovered_to = StringField(_l("Recovered until"), render_kw={"type": "date"})
    us_state = SelectField(_l("Dealer's US state"), validate_choice=False)

    def __init__(self, formdata=None, **kwargs):
        super().__init__(formdata, **kwargs)
        this_year = date.today().year
        self.year.choices = [SelectChoice("", _l("Any"))] + [SelectChoice(str(y), str(y))
                                                             for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.us_state.choices = [SelectChoice("", _l("Any"))] + [
            SelectChoice(code, f"{code} · {state.name}") for code, state in sorted(us_states().items())]

    def filters(self) -> DealerFilters:
        return DealerFilters(**{name: (self[name].data or "").strip() or None for name in NAMES})


@bp.get("/dealers")
@requesters
def dealers():
    """US dealers ranked by the guns recovered in the user's scope traced to them."""
    form = DealerFilterForm(request.args)
    listing, status = None, 200
    try:
        listing = dealer_watch_list(current_user, form.filters())
    except ValidationFailed as failure:
        show_errors(form, failure)
        status = 400
    return render_template("tracing/dealers.html", form=form, listing=listing,
                           threshold=ATF_SHORT_TTC_THRESHOLD), status


class RecoveryStateOut(BaseModel):
    state: str = Field(description="INEGI state code where the dealer's guns were recovered")
    count: int


class DealerOut(BaseModel):
    ffl_license: str
    ffl_name: str | None
    ffl_city: str | None
    ffl_state: str | None
    traces: int
    short_ttc: int = Field(description="Traces with a time to crime under 1,095 days")
    short_ttc_pct: float
    multiple_sales: int
    recovery_states: list[RecoveryStateOut] = Field(description="Most recoveries first")
    meets_atf_criterion: bool | None = Field(description="25 or more short time-to-crime traces in the chosen "
                                             "year; null when no year is chosen")


class DealerListOut(BaseModel):
    items: list[DealerOut] = Field(description="Most short time-to-crime traces first, then most traces, then the "
                                               "licence; at most 100 dealers")


@operation(api_bp, "/dealers", "GET", allow=("analyst", "supervisor"), response=DealerListOut, errors=(422,),
           query={"year": ("Year of recovery (YYYY)", lambda: {"type": "integer", "minimum": FIRST_YEAR,
                                                               "maximum": date.today().year + 1}),
                  "recovered_from": "YYYY-MM-DD", "recovered_to": "YYYY-MM-DD",
                  "us_state": ("The dealer's US state (TX or Texas)",
                               lambda: {"type": "string", "enum": sorted(us_states())
                                        + sorted(state.name for state in us_states().values())})},
           summary="The dealer watch list over the caller's scope: US dealers ranked by the traced guns "
                   "recovered in Mexico (a ranking, not a paged list)")
def list_dealers():
    listing: DealerList = dealer_watch_list(current_user, DealerFilters(
        **{name: request.args.get(name) or None for name in NAMES}))
    return jsonify({"items": [dealer_json(d) for d in listing.dealers]})
