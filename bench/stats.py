"""Percentiles, medians and the printed table of the benchmark."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class StepSample(Protocol):
    """What the tail detail reads of a step's timings (bench.member.Sample)."""

    @property
    def step(self) -> str: ...
    @property
    def readable(self) -> float: ...
    @property
    def finished_at(self) -> float: ...


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Row:
    """The figures of one run (or the medians of several)."""

    label: str
    seconds: float
    members_done: int
    steps: int
    steps_per_s: float
    commit_ms: tuple[float, float, float, float]  # p50, p95, p99, max
    read_ms: tuple[float, float, float, float]
    errors: int
    server_cpu_s: float
    server_rss_mib: float
    client_cpu_s: float
    client_rss_mib: float


def latency_ms(values: Sequence[float]) -> tuple[float, float, float, float]:
    """p50, p95, p99 and max of durations in seconds, as milliseconds."""
    quantiles = [percentile(values, p) for p in (50, 95, 99, 100)]
    return (quantiles[0] * 1000, quantiles[1] * 1000, quantiles[2] * 1000, quantiles[3] * 1000)


def median_row(label: str, rows: Sequence[Row]) -> Row:
    """Figure by figure, the median of several runs."""

    def med(values: Sequence[float]) -> float:
        return float(statistics.median(values))

    def med4(
        pick: Sequence[tuple[float, float, float, float]],
    ) -> tuple[float, float, float, float]:
        return (
            med([q[0] for q in pick]),
            med([q[1] for q in pick]),
            med([q[2] for q in pick]),
            med([q[3] for q in pick]),
        )

    return Row(
        label=label,
        seconds=med([r.seconds for r in rows]),
        members_done=round(med([r.members_done for r in rows])),
        steps=round(med([r.steps for r in rows])),
        steps_per_s=med([r.steps_per_s for r in rows]),
        commit_ms=med4([r.commit_ms for r in rows]),
        read_ms=med4([r.read_ms for r in rows]),
        errors=round(med([r.errors for r in rows])),
        server_cpu_s=med([r.server_cpu_s for r in rows]),
        server_rss_mib=med([r.server_rss_mib for r in rows]),
        client_cpu_s=med([r.client_cpu_s for r in rows]),
        client_rss_mib=med([r.client_rss_mib for r in rows]),
    )


HEADER = (
    f"{'load':<22}{'secs':>6}{'done':>6}{'steps':>7}{'steps/s':>9}"
    f"{'POST p50/p95/p99/max ms':>28}{'readable p50/p95/p99/max ms':>32}"
    f"{'err':>5}{'srv cpu s':>10}{'srv RSS MiB':>12}{'cli cpu s':>10}{'cli RSS MiB':>12}"
)


def _quad(q: tuple[float, float, float, float]) -> str:
    return "/".join(f"{v:.1f}" for v in q)


def format_row(row: Row) -> str:
    """One line of the table."""
    return (
        f"{row.label:<22}{row.seconds:>6.1f}{row.members_done:>6}{row.steps:>7}"
        f"{row.steps_per_s:>9.1f}{_quad(row.commit_ms):>28}{_quad(row.read_ms):>32}"
        f"{row.errors:>5}{row.server_cpu_s:>10.1f}{row.server_rss_mib:>12.1f}"
        f"{row.client_cpu_s:>10.1f}{row.client_rss_mib:>12.1f}"
    )


def tail_detail(samples: Sequence[StepSample], began: float, window: float = 10.0) -> str:
    """Where the slow steps are: readable p50/p99 by step name (slowest five) and by window
    of time since the start (a thundering start, or a slow patch, shows there)."""
    by_name: dict[str, list[float]] = {}
    by_window: dict[int, list[float]] = {}
    for sample in samples:
        by_name.setdefault(sample.step, []).append(sample.readable)
        slot = int((sample.finished_at - began) // window)
        by_window.setdefault(slot, []).append(sample.readable)

    def p(values: list[float], q: float) -> str:
        return f"{percentile(values, q) * 1000:.0f}"

    names = sorted(by_name.items(), key=lambda item: -percentile(item[1], 99))[:5]
    lines = [
        "  readable p50/p99 ms by step: "
        + ", ".join(f"{name} {p(values, 50)}/{p(values, 99)}" for name, values in names)
    ]
    lines.append(
        "  readable p50/p99 ms by window: "
        + ", ".join(
            f"{slot * window:.0f}s {p(values, 50)}/{p(values, 99)}"
            for slot, values in sorted(by_window.items())
        )
    )
    return "\n".join(lines)
