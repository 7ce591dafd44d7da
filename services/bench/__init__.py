"""Benchmarks: speed claims proven as ratios against a baseline measured in the same run.

A suite is a module of this package that exposes `run(quick: bool) -> list[BenchResult]`;
`discover()` finds them by name, `warrantwatch bench` runs them. A suite times its own code
and a baseline doing the same job with `compare`, so the ratio does not depend on the machine.
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, cast

from shared.errors import BenchError


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds per operation over `repeat` rounds: the best round and the median round."""

    best: float
    median: float
    repeat: int
    ops_per_round: int


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One measured operation beside its baseline, both per operation, in seconds."""

    suite: str
    name: str
    per_op_seconds: float
    baseline_name: str
    baseline_per_op_seconds: float
    median_per_op_seconds: float | None = None
    baseline_median_per_op_seconds: float | None = None
    # figures a row reports besides its timing (e.g. `quotes`, `rss_growth_bytes`, or a text
    # such as what a baseline's timing leaves out), written into its JSON object as they are
    figures: tuple[tuple[str, int | float | str], ...] = ()

    @property
    def ratio(self) -> float:
        """How many times faster than the baseline (above 1 is faster)."""
        return self.baseline_per_op_seconds / self.per_op_seconds

    def as_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "name": self.name,
            "per_op_seconds": self.per_op_seconds,
            "median_per_op_seconds": self.median_per_op_seconds,
            "baseline_name": self.baseline_name,
            "baseline_per_op_seconds": self.baseline_per_op_seconds,
            "baseline_median_per_op_seconds": self.baseline_median_per_op_seconds,
            "ratio": self.ratio,
            **dict(self.figures),
        }


class Suite(Protocol):
    def run(self, quick: bool) -> list[BenchResult]: ...


def measure(
    round_fn: Callable[[], object], *, ops_per_round: int, repeat: int, warmup: int = 1
) -> Timing:
    """Time `round_fn`, which does `ops_per_round` operations, `repeat` times.

    The best round is the figure of record (noise only ever adds time); the median is kept
    to show the spread.
    """
    if ops_per_round < 1 or repeat < 1:
        raise ValueError("ops_per_round and repeat must be at least 1")
    for _ in range(warmup):
        round_fn()
    rounds: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        round_fn()
        rounds.append((time.perf_counter() - start) / ops_per_round)
    return Timing(min(rounds), statistics.median(rounds), repeat, ops_per_round)


def each(op: Callable[[Any], object], inputs: Sequence[Any]) -> Callable[[], None]:
    """A round that applies `op` to every input once: one operation per input."""

    def round_fn() -> None:
        for item in inputs:
            op(item)

    return round_fn


def _pooled(rounds: Sequence[Timing]) -> Timing:
    bests = [t.best for t in rounds]
    return Timing(min(bests), statistics.median(bests), len(rounds), rounds[0].ops_per_round)


def compare(
    suite: str,
    name: str,
    op: Callable[[Any], object],
    baseline_name: str,
    baseline_op: Callable[[Any], object],
    inputs: Sequence[Any],
    *,
    baseline_inputs: Sequence[Any] | None = None,
    repeat: int = 9,
) -> BenchResult:
    """Time `op` and `baseline_op` over the same kind of inputs, in this run, per operation.

    The rounds of the two alternate, so that a busy machine slows both alike; the ratio of
    the best rounds is the figure of record. `baseline_inputs` (default `inputs`) lets a
    slow baseline run on a prefix of the inputs.
    """
    base_in = inputs if baseline_inputs is None else baseline_inputs
    ours_round, theirs_round = each(op, inputs), each(baseline_op, base_in)
    ours_round()  # warm-up: caches, lazily built tables
    theirs_round()
    ours_rounds: list[Timing] = []
    theirs_rounds: list[Timing] = []
    for _ in range(repeat):
        ours_rounds.append(measure(ours_round, ops_per_round=len(inputs), repeat=1, warmup=0))
        theirs_rounds.append(
            measure(theirs_round, ops_per_round=len(base_in), repeat=1, warmup=0)
        )
    ours, theirs = _pooled(ours_rounds), _pooled(theirs_rounds)
    return BenchResult(
        suite=suite,
        name=name,
        per_op_seconds=ours.best,
        baseline_name=baseline_name,
        baseline_per_op_seconds=theirs.best,
        median_per_op_seconds=ours.median,
        baseline_median_per_op_seconds=theirs.median,
    )


def suite_names() -> list[str]:
    """The names of this package's suite modules, without importing them."""
    import services.bench as package

    names = (info.name for info in pkgutil.iter_modules(package.__path__))
    return sorted(n for n in names if not n.startswith("_"))


def discover() -> dict[str, Suite]:
    """Every suite module of this package (one with a `run`), by module name."""
    suites: dict[str, Suite] = {}
    for name in suite_names():
        module: ModuleType = importlib.import_module(f"services.bench.{name}")
        if callable(getattr(module, "run", None)):
            suites[name] = cast(Suite, module)
    return suites


def run_suites(names: Iterable[str] = (), *, quick: bool = False) -> list[BenchResult]:
    """Run the named suites (all when none are named) and gather their results."""
    suites = discover()
    wanted = list(names) or sorted(suites)
    unknown = [n for n in wanted if n not in suites]
    if unknown:
        known = ", ".join(sorted(suites)) or "none"
        raise BenchError(
            f"unknown benchmark suite {', '.join(map(repr, unknown))}; known: {known}"
        )
    results: list[BenchResult] = []
    for name in wanted:
        results.extend(suites[name].run(quick))
    return results


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_table(results: Sequence[BenchResult]) -> str:
    """A plain-text table: one line per result, the ratio in the last column."""
    header = ("suite", "benchmark", "per op", "baseline", "per op", "ratio")
    rows = [header] + [
        (
            r.suite,
            r.name,
            format_seconds(r.per_op_seconds),
            r.baseline_name,
            format_seconds(r.baseline_per_op_seconds),
            f"{r.ratio:,.0f}x" if r.ratio >= 10 else f"{r.ratio:.2f}x",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {2, 4, 5}
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]
    return "\n".join(lines)
