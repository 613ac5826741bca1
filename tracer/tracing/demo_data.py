"""Synthetic trace requests and results for ``flask seed-demo``, shaped like the published
trace statistics of firearms recovered in Mexico.

Two figures come from the sources below: the US-sourced share (``US_SOURCED``) and the
order of the source states (Texas, Arizona, California, New Mexico). The sources describe
the rest only in words (a long time-to-crime tail beside a short cluster, many traces
without a result, more multiple sales in the border states); every other number in this
module — the percentages of ``SOURCE_STATES``, ``SHORT_SHARE`` and both time-to-crime
medians, ``NO_TRACE_SHARE`` and ``NO_TRACE_REASONS``, the outcome weights, the
multiple-sale shares, the backlog, the pending share and the delays — is an assumption
of this generator, chosen to reproduce that shape:

- U.S. Government Accountability Office, GAO-21-322, "Firearms Trafficking: U.S. Efforts
  to Disrupt Gun Smuggling into Mexico Would Benefit from Additional Data and Analysis"
  (February 2021), on ATF's Mexico trace data for 2014–2018: about 70 percent of the
  firearms seized in Mexico and traced were US-sourced (made in or legally imported into
  the United States); the rest were foreign-sourced or of undetermined source. Here
  ``US_SOURCED`` is that share among completed traces whose outcome is not "no trace" —
  the ``us_sourced_pct`` of SPEC §7.
- ATF, "Firearms Trace Data: Mexico" (calendar years 2017 to 2022), by the state of the
  first retail purchase: Texas first by far, then Arizona, then California, then New
  Mexico, followed by a long list of states with a few percent or less each
  (``SOURCE_STATES``).
- ATF's National Firearms Commerce and Trafficking Assessment (2023) and its Mexico trace
  reports: firearms recovered in Mexico have a much longer time to crime than the US
  national median (a few years), with a median of many years, while a distinct share
  were bought less than three years before recovery, the sign of active trafficking.
  Time to crime here is a mixture, with assumed parameters: a short cluster
  (``SHORT_SHARE``, a median of about 15 months) and a long tail (a median of about 11
  years, up to four decades).
- ATF trace reports and GAO-21-322: many traces requested by Mexico end without a
  result — obliterated serials, incomplete identifiers, records unavailable, dealers out
  of business, firearms too old to trace (``NO_TRACE_SHARE`` and ``NO_TRACE_REASONS``).
  Since 2011 dealers in Texas, Arizona, California and New Mexico report multiple sales
  of certain semi-automatic rifles to ATF (the "Demand Letter 3" requirement), so
  multiple-sale flags are more frequent for rifles bought in those four states.

Dealer names, licence numbers, street addresses, ZIP codes and purchasers are
invented; cities are real (the gazetteer of US cities shipped with the project).
Licence numbers have the ATF shape ``X-XX-XXX-XX-XX-XXXXX`` (region, district, county,
licence type, expiration, sequence) and are not real licences.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from tracer.tracing.ffl import MONTH_LETTERS

# Of the ready firearms, those nobody has requested a trace for yet (the backlog).
BACKLOG_SHARE = 0.30
# Of the requests, those the US liaison has not answered yet (the liaison's queue).
PENDING_SHARE = 0.12
# Of the answered requests, those without a result.
NO_TRACE_SHARE = 0.22
NO_TRACE_REASONS = (("dealer_out_of_business", 26), ("too_old", 20), ("records_unavailable", 20),
                    ("incomplete_identifiers", 18), ("obliterated_serial", 8), ("other", 8))
US_SOURCED = 0.70
# Outcomes of completed traces (not "no trace") by where the firearm was made. A foreign-made
# firearm reaches Mexico through a US importer and dealer or through other countries; a US-made
# one is US-sourced unless its path cannot be established. The weights give US_SOURCED over the
# demo firearms, about four in five of them US-made.
OUTCOMES_US_MADE = (("us_retail", 62), ("us_other", 10), ("undetermined", 28))
OUTCOMES_FOREIGN_MADE = (("us_retail", 36), ("us_other", 6), ("foreign", 46), ("undetermined", 12))
# A US-sourced trace that is not a retail sale: sometimes a dealer's stolen inventory (a dealer
# is named), otherwise a manufacturer, importer or government source (none).
US_OTHER_WITH_DEALER = 0.5

# Share (percent) of US-sourced traces by the dealer's state.
SOURCE_STATES = (("TX", 41), ("AZ", 17), ("CA", 12), ("NM", 5), ("FL", 3.5), ("NV", 2.5), ("GA", 2.2),
                 ("CO", 2), ("OK", 2), ("IL", 2), ("WA", 1.6), ("UT", 1.4), ("OR", 1.2), ("NC", 1.2),
                 ("LA", 1.2), ("KS", 1), ("MO", 1), ("TN", 1), ("OH", 1), ("PA", 1))
BORDER_STATES = frozenset({"TX", "AZ", "CA", "NM"})
# An area code of a large city of each source state, for the dealers' telephone numbers.
AREA_CODES = {"TX": "713", "AZ": "602", "CA": "213", "NM": "505", "FL": "305", "NV": "702", "GA": "404",
              "CO": "303", "OK": "405", "IL": "312", "WA": "206", "UT": "801", "OR": "503", "NC": "704",
              "LA": "504", "KS": "316", "MO": "314", "TN": "615", "OH": "614", "PA": "215"}

SHORT_SHARE = 0.32
SHORT_MEDIAN_DAYS, SHORT_SIGMA = 460, 0.55
LONG_MEDIAN_DAYS, LONG_SIGMA = 4000, 0.55
MIN_TTC_DAYS, MAX_TTC_DAYS = 20, 15000
OLDEST_PURCHASE = date(1975, 1, 1)
# Multiple-sale flags on US retail sales: handguns, and rifles bought in the border states.
MULTIPLE_SALE = {"handgun": 0.12, "border_rifle": 0.22, "other": 0.06}

# Days from seizure to request, and from request to result.
REQUEST_MEDIAN_DAYS, REQUEST_SIGMA, REQUEST_MAX_DAYS = 35, 0.9, 300
RESULT_MEDIAN_DAYS, RESULT_SIGMA, RESULT_MAX_DAYS = 18, 0.7, 90

# Real cities (gazetteer) where the demo's dealers are, and the dealers per state.
DEALER_CITIES = {
    "TX": ("Houston", "San Antonio", "Dallas", "El Paso", "Laredo", "McAllen", "Brownsville", "Austin",
           "Fort Worth", "Odessa", "Midland", "Lubbock", "Corpus Christi", "Eagle Pass", "Del Rio", "Pasadena",
           "Harlingen", "Edinburg", "Mission", "Pharr", "San Angelo", "Abilene", "Amarillo", "Waco"),
    "AZ": ("Phoenix", "Tucson", "Mesa", "Glendale", "Yuma", "Nogales", "Douglas", "Sierra Vista", "Chandler",
           "Scottsdale", "Tempe", "Casa Grande", "Peoria", "Gilbert"),
    "CA": ("Los Angeles", "San Diego", "Chula Vista", "El Centro", "Calexico", "Fresno", "Bakersfield",
           "Riverside", "San Bernardino", "Sacramento", "Santa Ana", "Oxnard"),
    "NM": ("Albuquerque", "Las Cruces", "Deming", "Roswell", "Santa Fe", "Farmington", "Hobbs", "Carlsbad"),
    "FL": ("Miami", "Orlando", "Tampa", "Jacksonville", "Hialeah"),
    "NV": ("Las Vegas", "Reno", "Henderson"),
    "GA": ("Atlanta", "Savannah", "Augusta", "Dalton"),
    "CO": ("Denver", "Colorado Springs", "Pueblo", "Greeley"),
    "OK": ("Oklahoma City", "Tulsa", "Lawton"),
    "IL": ("Chicago", "Joliet", "Aurora"),
    "WA": ("Seattle", "Yakima", "Spokane", "Pasco"),
    "UT": ("Salt Lake City", "Ogden", "Provo"),
    "OR": ("Portland", "Salem", "Medford"),
    "NC": ("Charlotte", "Raleigh", "Greensboro"),
    "LA": ("New Orleans", "Baton Rouge", "Shreveport"),
    "KS": ("Wichita", "Kansas City", "Garden City"),
    "MO": ("Kansas City", "St. Louis", "Springfield"),
    "TN": ("Nashville", "Memphis", "Knoxville"),
    "OH": ("Columbus", "Cleveland", "Cincinnati"),
    "PA": ("Philadelphia", "Pittsburgh", "Allentown"),
}
# ATF region and district digits of the licences of each state (shaped like real ones).
LICENCE_PREFIXES = {
    "TX": ("5-74", "5-75", "5-76"), "AZ": ("9-86",), "CA": ("9-33", "9-95", "9-77"), "NM": ("5-85",),
    "FL": ("1-59",), "NV": ("9-88",), "GA": ("1-58",), "CO": ("8-84",), "OK": ("5-73",), "IL": ("3-36",),
    "WA": ("9-91",), "UT": ("8-87",), "OR": ("9-93",), "NC": ("1-56",), "LA": ("7-72",), "KS": ("5-48",),
    "MO": ("5-43",), "TN": ("4-62",), "OH": ("4-31",), "PA": ("8-23",),
}
# The first three digits of the ZIP codes of each state.
ZIP_PREFIXES = {
    "TX": (750, 799), "AZ": (850, 865), "CA": (900, 961), "NM": (870, 884), "FL": (320, 349), "NV": (889, 898),
    "GA": (300, 319), "CO": (800, 816), "OK": (730, 749), "IL": (600, 629), "WA": (980, 994), "UT": (840, 847),
    "OR": (970, 979), "NC": (270, 289), "LA": (700, 714), "KS": (660, 679), "MO": (630, 658), "TN": (370, 385),
    "OH": (430, 458), "PA": (150, 196),
}
DEALERS_PER_SHARE = 3  # dealers of a state per percent of traces: a few busy dealers, many small ones

_SURNAMES = ("Anderson", "Baker", "Carter", "Dawson", "Ellis", "Foster", "Garza", "Hayes", "Jennings", "Keller",
             "Lawson", "Martinez", "Nolan", "Ortiz", "Parker", "Quinn", "Ramos", "Sanders", "Tucker", "Vance",
             "Walker", "Young", "Castillo", "Delgado", "Flores", "Guerra", "Hernandez", "Ibarra", "Lozano",
             "Mendoza", "Navarro", "Peña", "Salinas", "Trevino", "Villarreal", "Whitfield", "Brooks", "Coleman")
_GIVEN = ("James", "Robert", "Michael", "David", "Daniel", "Jose", "Juan", "Carlos", "Luis", "Jesus", "Miguel",
          "Christopher", "Anthony", "Brandon", "Kevin", "Jason", "Maria", "Jennifer", "Ashley", "Jessica",
          "Veronica", "Adriana", "Sarah", "Brittany", "Ricardo", "Eduardo", "Francisco", "Alejandro", "Tyler")
_WORDS = ("Lone Star", "Frontier", "Desert", "Mesa", "Rio Grande", "Canyon", "Sunbelt", "Gulf Coast", "High Plains",
          "Big Sky", "Red River", "Pecos", "Sierra", "Patriot", "Eagle", "Sagebrush", "Valley", "Brazos")
_NAME_SHAPES = ("{surname} Firearms", "{surname}'s Gun Shop", "{city} Pawn & Gun", "{word} Outdoors",
                "{word} Sporting Goods", "{surname} Arms LLC", "{word} Tactical", "{word} Guns & Ammo",
                "{surname} & Sons Hardware", "{city} Shooting Supply")
_STREETS = ("Main", "Commerce", "Industrial", "Military", "Broadway", "Mesquite", "Airport", "Ranch", "Mission",
            "Border", "Cactus", "Frontage", "Palo Verde", "Highland", "Market", "Lincoln", "Oak", "Ridge")
_STREET_KINDS = ("St", "Ave", "Blvd", "Rd", "Hwy", "Dr", "Pkwy")


@dataclass(frozen=True)
class Dealer:
    """A synthetic licensed dealer (FFL) in a real US city."""

    name: str
    license: str
    street: str
    city: str
    state: str
    zip: str


def weighted(rng: random.Random, choices) -> str:
    names, weights = zip(*choices)
    return rng.choices(names, weights)[0]


def _licence(rng: random.Random, state: str, year: int) -> str:
    region_district = rng.choice(LICENCE_PREFIXES[state])
    county = f"{rng.randrange(1, 500, 2):03d}"  # county FIPS codes are odd
    kind = "02" if rng.random() < 0.2 else "01"  # pawnbroker or dealer
    expiration = f"{(year + rng.randint(1, 3)) % 10}{rng.choice(MONTH_LETTERS)}"
    return f"{region_district}-{county}-{kind}-{expiration}-{rng.randrange(10000, 99999):05d}"


def dealers(seed: int) -> dict[str, list[Dealer]]:
    """The demo's dealers of each source state, the same for a seed."""
    pools: dict[str, list[Dealer]] = {}
    for state, share in SOURCE_STATES:
        rng = random.Random(f"DEALERS:{seed}:{state}")
        low, high = ZIP_PREFIXES[state]
        pool = []
        for _number in range(max(2, round(share * DEALERS_PER_SHARE))):
            city = rng.choice(DEALER_CITIES[state])
            name = rng.choice(_NAME_SHAPES).format(surname=rng.choice(_SURNAMES), city=city, word=rng.choice(_WORDS))
            street = (f"{rng.randint(100, 9899)} {rng.choice(('N', 'S', 'E', 'W', ''))} "
                      f"{rng.choice(_STREETS)} {rng.choice(_STREET_KINDS)}").replace("  ", " ")
            pool.append(Dealer(name, _licence(rng, state, 2025), street, city, state,
                               f"{rng.randint(low, high):03d}{rng.randrange(100):02d}"))
        pools[state] = pool
    return pools


def dealer_phone(dealer: Dealer) -> str:
    """The dealer's telephone, drawn from its licence: the same for the same dealer."""
    digits = dealer.license.replace("-", "")
    return f"({AREA_CODES.get(dealer.state, '512')}) 555-{digits[-4:]}"


# Border crossings (INEGI state and municipality) and the US city across the line whose dealers
# supply most of the firearms seized there: the route the map draws (Tucson → Nogales, Sonora).
CROSSINGS = {("26", "043"): ("AZ", "Tucson")}
CROSSING_SHARE = 0.6


def pick_dealer(rng: random.Random, pools: dict[str, list[Dealer]], crossing: tuple = ()) -> Dealer:
    """A dealer: the state by its share of traces, then a dealer of the state, the first ones
    busier (a few dealers account for many traces). Most firearms seized at a border crossing
    of ``CROSSINGS`` come from a dealer of the city across the line."""
    if tuple(crossing) in CROSSINGS and rng.random() < CROSSING_SHARE:
        state, city = CROSSINGS[tuple(crossing)]
        local = [dealer for dealer in pools[state] if dealer.city == city]
        return local[0] if local else replace(pools[state][0], city=city)
    pool = pools[weighted(rng, SOURCE_STATES)]
    return pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)]


def purchaser(rng: random.Random) -> str:
    return f"{rng.choice(_GIVEN)} {rng.choice(_SURNAMES)} {rng.choice(_SURNAMES)}"


def _lognormal_days(rng: random.Random, median: float, sigma: float) -> int:
    return int(round(math.exp(rng.gauss(math.log(median), sigma))))


def time_to_crime(rng: random.Random) -> int:
    """Days from retail purchase to seizure: the short cluster or the long tail."""
    if rng.random() < SHORT_SHARE:
        days = _lognormal_days(rng, SHORT_MEDIAN_DAYS, SHORT_SIGMA)
    else:
        days = _lognormal_days(rng, LONG_MEDIAN_DAYS, LONG_SIGMA)
    return min(max(days, MIN_TTC_DAYS), MAX_TTC_DAYS)


def purchase_date(rng: random.Random, seized_on: date) -> date:
    """A purchase date before ``seized_on`` (never before 1975)."""
    return max(seized_on - timedelta(days=time_to_crime(rng)), OLDEST_PURCHASE)


def request_delay(rng: random.Random) -> int:
    return min(max(_lognormal_days(rng, REQUEST_MEDIAN_DAYS, REQUEST_SIGMA), 1), REQUEST_MAX_DAYS)


def result_delay(rng: random.Random) -> int:
    return min(max(_lognormal_days(rng, RESULT_MEDIAN_DAYS, RESULT_SIGMA), 1), RESULT_MAX_DAYS)


def outcome(rng: random.Random, country_code: str | None) -> str:
    return weighted(rng, OUTCOMES_US_MADE if country_code == "US" else OUTCOMES_FOREIGN_MADE)


def no_trace_reason(rng: random.Random, serial_status: str) -> str:
    # An obliterated serial ends a trace only when the restored one proves wrong.
    reasons = NO_TRACE_REASONS if serial_status == "restored" else [
        item for item in NO_TRACE_REASONS if item[0] != "obliterated_serial"]
    return weighted(rng, reasons)


def multiple_sale(rng: random.Random, firearm_type: str, dealer_state: str) -> bool:
    if firearm_type in ("pistol", "revolver"):
        share = MULTIPLE_SALE["handgun"]
    elif firearm_type == "rifle" and dealer_state in BORDER_STATES:
        share = MULTIPLE_SALE["border_rifle"]
    else:
        share = MULTIPLE_SALE["other"]
    return rng.random() < share
