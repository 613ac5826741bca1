"""Seizure CSV files for the import tests and the throughput measurement."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

from tracer.seizures.demo_data import sample_rows
from tracer.seizures.importing_csv import COLUMNS

HEADER = COLUMNS + ("restored_serial",)


def write_sample_csv(path: str | Path, rows: int, seed: int = 1, **options) -> Path:
    """Write ``rows`` firearms of realistic seizures (see ``demo_data.sample_rows``) to ``path``."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sample_rows(rows, seed, **options))
    return path


def csv_bytes(rows: Iterable[dict[str, str]], columns: Iterable[str] = COLUMNS, encoding: str = "utf-8") -> bytes:
    """A CSV file in memory: the header, then each row (missing columns empty)."""
    columns = list(columns)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return out.getvalue().encode(encoding)
