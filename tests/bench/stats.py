"""One line of the bench's table, and the table itself."""
from __future__ import annotations

from dataclasses import dataclass


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Row:
    operation: str
    n: int
    median: float | None
    p95: float | None
    baseline: str
    base_median: float | None
    base_p95: float | None
    ratio: float | None
    budget: str
    passed: bool
    rate: str = ""  # requests or rows per second, where the budget is a rate
    base_rate: str = ""
    ratio_text: str | None = None
    note: str = ""

    @classmethod
    def from_serial(cls, values: tuple) -> "Row":
        """A line of ``serial_search.measure``."""
        return cls(*values, ratio_text=f"{values[7]:.1f}x")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_table(rows: list[Row]) -> None:
    header = ("operation", "n", "median ms", "p95 ms", "rate", "baseline", "base median ms", "base p95 ms",
              "base rate", "ratio", "budget", "result")
    lines = [header]
    for row in rows:
        ratio = row.ratio_text or ("-" if row.ratio is None else f"{row.ratio:.1f}x")
        lines.append((row.operation, str(row.n), _ms(row.median), _ms(row.p95), row.rate, row.baseline,
                      _ms(row.base_median), _ms(row.base_p95), row.base_rate, ratio, row.budget,
                      ("PASS" if row.passed else "FAIL") + (f" ({row.note})" if row.note else "")))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip(), flush=True)
        if number == 0:
            print("-+-".join("-" * width for width in widths), flush=True)
