"""Synthetic seizure rows, in the CSV format of SPEC §8, shaped like the firearms
recovered in Mexico and traced to the United States.

The type and maker shares and the places follow the sources below, rounded; the shares
said to be assumptions are the generator's own, chosen to match what the sources
describe in words:

- U.S. Government Accountability Office, GAO-21-322, "Firearms Trafficking: U.S.
  Efforts to Disrupt Gun Smuggling into Mexico Would Benefit from Additional Data
  and Analysis" (February 2021): most firearms seized in Mexico and traced come
  from the United States; handguns and rifles dominate, AK-type (7.62x39mm) and
  AR-type (.223/5.56mm) rifles being the rifles most often recovered.
- ATF, "Firearms Trace Data: Mexico", calendar years 2017 to 2022: by type about
  half handguns (pistols ~45%, revolvers ~8%), rifles ~40%, shotguns ~5%; Smith &
  Wesson, Colt, Glock and Beretta together about 30% of the makers, followed by
  Ruger, Taurus, Century Arms, Norinco, Zastava, FN, Bushmaster, Sig Sauer,
  Springfield and Remington; recoveries concentrated in Jalisco, Guanajuato,
  Michoacán, Sonora, Chihuahua, Baja California, Tamaulipas, Sinaloa, Guerrero,
  the Estado de México and Mexico City.
- About 15% of the serial numbers are obliterated, and about 10% of the firearms
  are foreign-made and carry a US importer's marking: assumptions (the reports
  above say obliterated serials and imported firearms are common among recovered
  firearms, without a share this generator could copy). Some foreign-made
  firearms here lack the marking, as recovered firearms sometimes do.
- Records fall short of what a trace needs: the U.S. Department of Justice Office
  of the Inspector General, "Review of ATF's Project Gunrunner" (I-2011-001,
  November 2010), found that most trace requests from Mexico did not identify
  the dealer (31 percent did in 2009), in large part because the identifiers
  sent were incomplete or wrong. The kinds of gap drawn here (no importer on a
  foreign-made firearm, no model or country of manufacture, a maker or caliber
  written in a way nobody can look up, an obliterated serial) are the
  generator's choice. ``RECORDING_GAPS`` reproduces that with assumed shares of
  rows with a field left empty or a maker or caliber misspelled, so that the
  demo's readiness mix (``flask tracing readiness-report``) looks like a real
  register's, about half of the firearms lacking or doubting an identifier.
  A caliber that does not fit the type is not among them: the seizure checks
  refuse it as an error, so no imported record carries one.

Places come from the INEGI gazetteer shipped with the project (``tracer.geo``).
Everything is drawn from ``random.Random`` seeded per seizure, so a seizure
depends only on the seed and its number: the same seed gives the same rows,
and a larger count gives the same first seizures plus more.
"""
from __future__ import annotations

import bisect
import itertools
import random
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterator

from tracer.geo.catalog import municipalities
from tracer.geo.shapes import point_in_state

# Relative weight of each state (INEGI code) among seizure places.
STATE_WEIGHTS = {
    "14": 10, "11": 9, "16": 8, "26": 8, "08": 8, "02": 8, "28": 7, "25": 6, "12": 6, "15": 5, "09": 4,
    "19": 3, "32": 3, "30": 2, "17": 2, "21": 2, "05": 1.5, "23": 1.5, "10": 1, "24": 1, "06": 1, "18": 1,
    "20": 1, "03": .5, "01": .5, "04": .3, "07": .8, "13": .6, "22": .6, "27": .5, "29": .3, "31": .3,
}
# Firearms per seizure: most seizures are one or two firearms, a few are arsenals.
SIZE_WEIGHTS = ((1, 55), (2, 18), (3, 9), (4, 5), (5, 3), (range(6, 11), 6), (range(11, 31), 3),
                (range(31, 81), 1))
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2025, 12, 31)

# (type as officers write it, maker as written, model, caliber, country, importer, weight).
# Weights: pistols ~45, revolvers ~8, rifles ~40, shotguns ~5, the rest ~2.
_PISTOLS = [
    ("pistola", "Glock", "17", "9mm", "AT", "Glock Inc., Smyrna, GA", 1.0),
    ("pistola", "Glock", "19", "9 mm", "US", None, 3.5),
    ("pistola", "Glock", "22", ".40 S&W", "US", None, 1.5),
    ("pistola", "Smith & Wesson", "M&P9", "9mm", "US", None, 2.5),
    ("pistola", "S&W", "SD9VE", "9mm Luger", "US", None, 1.5),
    ("pistola", "Colt", "Government 1911", ".38 Super", "US", None, 2.5),
    ("pistola", "Colt", "Government 1911", ".45 ACP", "US", None, 1.5),
    ("pistola", "Beretta", "92FS", "9mm", "US", None, 2.5),
    ("pistola", "Beretta", "84F", ".380 ACP", "IT", "Beretta USA Corp., Accokeek, MD", 0.5),
    ("pistola", "Taurus", "PT92", "9mm", "BR", "Taurus International, Miami, FL", 0.6),
    ("pistola", "Taurus", "G2C", "9mm", "US", None, 3.0),
    ("pistola", "Ruger", "P95", "9mm", "US", None, 2.5),
    ("pistola", "Ruger", "LCP", ".380 ACP", "US", None, 2.0),
    ("pistola", "Sig Sauer", "P226", "9mm", "US", None, 2.5),
    ("pistola", "Springfield Armory", "XD-9", "9mm", "HR", "Springfield Armory, Geneseo, IL", 0.5),
    ("pistola", "Springfield", "1911 Mil-Spec", ".45 ACP", "US", None, 1.5),
    ("pistola", "FN Herstal", "Five-seveN", "5.7x28mm", "BE", "FN America, Fredericksburg, VA", 0.8),
    ("pistola", "Bersa", "Thunder 380", ".380", "AR", "Eagle Imports, Wanamassa, NJ", 0.5),
    ("pistola", "CZ", "75 B", "9mm", "CZ", "CZ-USA, Kansas City, KS", 0.4),
    ("pistola", "Hi-Point", "C9", "9mm", "US", None, 1.5),
    ("pistola", "Pietro Beretta", "92FS", "9mm", "US", None, 1.0),
    ("pistola", "Colt", "Mustang", ".380 ACP", "US", None, 0.5),
    ("pistola", "Kel-Tec", "P-11", "9mm", "US", None, 1.0),
]
_REVOLVERS = [
    ("revólver", "Smith & Wesson", "686", ".357 Magnum", "US", None, 1.5),
    ("revólver", "SMITH & WESSON", "10", ".38 Special", "US", None, 1.2),
    ("revolver", "Colt", "Python", ".357", "US", None, 0.8),
    ("revólver", "Ruger", "GP100", ".357 Magnum", "US", None, 1.0),
    ("revólver", "Taurus", "85", ".38 SPL", "BR", "Taurus International, Miami, FL", 0.5),
    ("revólver", "Rossi", "R352", ".38 Special", "BR", "BrazTech International, Miami, FL", 0.4),
    ("revólver", "Charter Arms", "Undercover", ".38 Special", "US", None, 0.9),
]
_RIFLES = [
    ("fusil", "Century Arms", "VSKA", "7.62x39", "US", None, 4.5),
    ("fusil", "Romarm", "WASR-10", "7.62x39mm", "RO", "Century Arms, Delray Beach, FL", 1.4),
    ("fusil", "Norinco", "MAK-90", "7.62x39mm", "CN", "KFS Inc., Atlanta, GA", 1.0),
    ("fusil", "Zastava Arms", "PAP M70", "7.62x39mm", "RS", "Zastava Arms USA, Sandy Springs, GA", 1.2),
    ("fusil", "Izhmekh", "Saiga", "7.62x39mm", "RU", "Russian American Armory, Scottsburg, IN", 0.4),
    ("fusil", "Colt", "AR-15 M4 Carbine", "5.56x45mm NATO", "US", None, 2.5),
    ("rifle", "Bushmaster", "XM-15", ".223 Remington", "US", None, 3.0),
    ("fusil", "DPMS", "Panther A-15", ".223", "US", None, 2.0),
    ("fusil", "Smith & Wesson", "M&P15", "5.56", "US", None, 2.0),
    ("fusil", "Sturm, Ruger & Co.", "AR-556", "5.56", "US", None, 2.0),
    ("rifle", "Ruger", "Mini-14", ".223", "US", None, 1.5),
    ("fusil", "Palmetto State Armory", "PA-15", "5.56", "US", None, 1.5),
    ("fusil", "Anderson Manufacturing", "AM-15", "5.56", "US", None, 1.5),
    ("fusil", "Sig Sauer", "M400", "5.56", "US", None, 1.0),
    ("fusil", "Daniel Defense", "DDM4", "5.56", "US", None, 0.5),
    ("fusil", "FN Herstal", "FAL", "7.62x51mm NATO", "BE", "Century Arms, Delray Beach, FL", 0.5),
    ("fusil", "Heckler & Koch", "G3", "7.62 NATO", "DE", "Heckler & Koch Inc., Sterling, VA", 0.3),
    ("rifle", "Barrett", "M82A1", ".50 BMG", "US", None, 1.0),
    ("rifle", "Remington Arms", "700", ".308 Winchester", "US", None, 2.0),
    ("rifle", "Winchester", "Model 94", ".30-30", "US", None, 1.0),
    ("rifle", "Springfield Armory", "M1A", ".308", "US", None, 0.5),
]
_OTHERS = [
    ("escopeta", "Remington", "870", "12 gauge", "US", None, 2.0),
    ("escopeta", "Mossberg", "500", "12 gauge", "US", None, 2.0),
    ("escopeta", "Winchester", "SXP", "20 gauge", "US", None, 1.0),
    ("subametralladora", "Heckler & Koch", "MP5", "9mm", "DE", "Heckler & Koch Inc., Sterling, VA", 0.6),
    ("subametralladora", "FN", "P90", "5.7x28mm", "BE", "FN America, Fredericksburg, VA", 0.6),
    ("subametralladora", "Intratec", "TEC-DC9", "9mm", "US", None, 0.5),
    ("ametralladora", "FN Herstal", "M249", "5.56x45mm NATO", "BE", None, 0.2),
    ("receptor", "Anderson Manufacturing", "AM-15 lower receiver", "", "US", None, 0.2),
]
MODELS = _PISTOLS + _REVOLVERS + _RIFLES + _OTHERS
SERIAL_STATUS_WEIGHTS = (("intact", 83), ("obliterated", 15), ("restored", 2))
# Shares of rows whose field was left empty or written in a way the reference lists do not know.
RECORDING_GAPS = {"model": .14, "country_of_manufacture": .2, "caliber": .03, "misspelled_maker": .06,
                  "unlisted_caliber": .03, "type_other": .01}
MISSPELLED_MAKERS = {"Glock": "Glok", "Smith & Wesson": "Smith Weson", "Beretta": "Berreta", "Ruger": "Rugger",
                     "Taurus": "Tauros", "Norinco": "Norinko", "Zastava Arms": "Zastaba", "Remington": "Remigton",
                     "Mossberg": "Mosberg"}
# Calibers as officers write them that no reference alias knows (the AK cartridge as "Russian 7.62").
UNLISTED_CALIBERS = {"7.62x39": "7.62 ruso", "7.62x39mm": "7.62 ruso", ".38 Special": "cal. 38 esp",
                     "9mm": "9 mm corto largo", ".223": "223 largo", "5.56": "5.56 OTAN largo"}
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


_MODEL_CUM = _cumulative(m[-1] for m in MODELS)
_STATE_CODES = list(STATE_WEIGHTS)
_STATE_CUM = _cumulative(STATE_WEIGHTS.values())


def _pick(rng: random.Random, items, cumulative):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


@lru_cache(maxsize=64)
def _municipalities(state: str):
    rows = municipalities(state)
    return rows, _cumulative(max(m.population or 0, 500) ** 0.8 for m in rows)


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def plausible_serial(rng: random.Random, maker: str) -> str:
    """A serial shaped like the maker's (Glock: letters then three digits; Ruger: 3-5 digits…)."""
    key = maker.lower()
    if key.startswith("glock"):
        return _letters(rng, 3) + _digits(rng, 3) + ("US" if rng.random() < .4 else "")
    if "ruger" in key:
        return f"{_digits(rng, 3)}-{_digits(rng, 5)}"
    if key.startswith(("s&w", "smith")):
        return _letters(rng, 3) + _digits(rng, 4)
    if key.startswith("colt"):
        return _letters(rng, 2) + _digits(rng, 6)
    if "beretta" in key:
        return "BER" + _digits(rng, 6)
    if key in ("romarm", "century arms"):
        return f"{rng.randint(1960, 2015)}{_letters(rng, 2)}{_digits(rng, 4)}"
    if key == "norinco":
        return _digits(rng, 8)
    return _letters(rng, 2) + _digits(rng, rng.choice((5, 6, 7)))


def firearm_values(rng: random.Random) -> dict[str, str]:
    """The firearm columns of one row."""
    kind, maker, model, caliber, country, importer, _weight = _pick(rng, MODELS, _MODEL_CUM)
    status = _pick(rng, [s for s, _w in SERIAL_STATUS_WEIGHTS], _cumulative(w for _s, w in SERIAL_STATUS_WEIGHTS))
    serial = plausible_serial(rng, maker)
    row = {"firearm_type": kind, "manufacturer": maker, "model": model, "caliber": caliber,
           "serial_number": serial if status == "intact" else "", "serial_status": status,
           # A foreign-made firearm carries its US importer's marking, unless worn or ground off.
           "importer": importer if importer and rng.random() < .75 else "", "country_of_manufacture": country,
           "notes": "",
           "restored_serial": serial if status == "restored" else ""}
    if status == "obliterated" and rng.random() < .3:
        row["notes"] = "Número de serie limado; enviado a restauración química."
    return _recorded_with_gaps(rng, row)


def _recorded_with_gaps(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    """The row as an officer might have recorded it: see ``RECORDING_GAPS``."""
    gaps = {name: rng.random() < share for name, share in RECORDING_GAPS.items()}
    for name in ("model", "country_of_manufacture", "caliber"):
        if gaps[name]:
            row[name] = ""
    if gaps["misspelled_maker"] and row["manufacturer"] in MISSPELLED_MAKERS:
        row["manufacturer"] = MISSPELLED_MAKERS[row["manufacturer"]]
    if gaps["unlisted_caliber"] and row["caliber"] in UNLISTED_CALIBERS:
        row["caliber"] = UNLISTED_CALIBERS[row["caliber"]]
    if gaps["type_other"]:
        row["firearm_type"] = "otro"
    return row


def seizure_size(rng: random.Random) -> int:
    choice = _pick(rng, [size for size, _w in SIZE_WEIGHTS], _cumulative(w for _s, w in SIZE_WEIGHTS))
    return choice if isinstance(choice, int) else rng.choice(choice)


def seizure_values(rng: random.Random, state: str | None = None, gps_share: float = .2) -> dict[str, str]:
    """The seizure columns of one seizure: a day, a municipality of the state (weighted by
    population), sometimes GPS coordinates (otherwise left for the geocoder)."""
    state = state or _pick(rng, _STATE_CODES, _STATE_CUM)
    rows, cumulative = _municipalities(state)
    municipality = _pick(rng, rows, cumulative)
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    values = {"seized_on": day.isoformat(), "state": state, "municipality": municipality.name,
              "locality": municipality.seat_name if rng.random() < .7 else "", "latitude": "", "longitude": ""}
    if rng.random() < gps_share:
        lat = round(municipality.latitude + rng.uniform(-.01, .01), 5)
        lon = round(municipality.longitude + rng.uniform(-.01, .01), 5)
        if point_in_state(lat, lon, state):
            values.update(latitude=f"{lat}", longitude=f"{lon}")
    return values


def sample_rows(firearms: int, seed: int, prefix: str = "SAMPLE", agencies=("FGR", "SEDENA", "GN"),
                gps_share: float = .2) -> Iterator[dict[str, str]]:
    """``firearms`` rows of seizures anywhere in Mexico, seized by ``agencies``: test and
    benchmark files for an importer of a federal agency."""
    made = 0
    for number in itertools.count(1):
        rng = random.Random(f"{seed}:{number}")
        seizure_ref = f"{prefix}-{seed}-{number:07d}"
        seizure = {"seizure_ref": seizure_ref, **seizure_values(rng, gps_share=gps_share),
                   "agency": rng.choice(agencies), "case_reference": ""}
        for index in range(min(seizure_size(rng), firearms - made)):
            yield {"external_id": f"{seizure_ref}-{index + 1:02d}", **seizure, **firearm_values(rng)}
            made += 1
        if made >= firearms:
            return
