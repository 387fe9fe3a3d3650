"""Regression checks that travel: a re-executed run against the recorded one, exactly or within a tolerance.

On the platform that recorded a run (same device, torch, threads, CPU model, kernel level and flags:
``utils.core.machine.platform_record``) the same seed gives the same numbers, so every per-epoch accuracy must be equal.
Anywhere else the same seed gives another run from the same distribution, so the check is statistical: the last-5
minimum and the final accuracy must each lie within the phase's tolerance of the recorded ones, where

    tolerance = max(K_SIGMA x sqrt(2) x the seed-to-seed standard deviation of that phase's recipe, FLOOR)

(the re-run and the recorded run are two draws: their difference has sqrt(2) times the standard deviation), measured
from the recorded runs of the same recipe under other seeds or on another platform (phases 1-3: the headline run plus
``results/spread.json``; phases 4 and 5: their seed studies). A verdict (held >= 99.40% or not) that flips is a
failure unless the re-run's last-5 minimum lies within the tolerance of 99.40: then it is too close to call.
"""

import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from ..goal import TARGET_ACC, held, last5_min
from ..phases import SPREAD, phase as phase_row, result_file
from ..records import load

K_SIGMA = 3.0   # a real regression moves a run further than three standard deviations of a re-run's difference
FLOOR = 0.10    # points; about 1.3 standard errors of one accuracy measured on 10,000 digits near 99.4%

PASS, FAIL, CLOSE = "pass", "FAIL", "too close to call"
EXACT_ALSO = ("train_acc", "test_loss", "train_loss")  # compared bit for bit beside the test accuracy, where exact


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


def _stats(accuracy: list[float]) -> tuple[float, float]:
    return last5_min(accuracy), accuracy[-1]


def spread_tolerance(runs: list[list[float]]) -> tuple[float, str]:
    """Tolerance from several seeds' per-epoch accuracies; returns ``(tolerance, how it was derived)``."""
    if len(runs) < 2:
        raise ValueError("a spread needs at least two seeds' runs")
    lows, finals = zip(*(_stats(run) for run in runs))
    sigma = max(statistics.stdev(lows), statistics.stdev(finals))
    tolerance = max(K_SIGMA * math.sqrt(2) * sigma, FLOOR)
    return tolerance, (f"{len(runs)} runs: std of the last-5 minimum {statistics.stdev(lows):.3f}, of the final "
                       f"{statistics.stdev(finals):.3f}; max({K_SIGMA:g} x sqrt 2 x {sigma:.3f}, {FLOOR:.2f}) = "
                       f"{tolerance:.2f}")


def phase_runs(phase: int, results: Path) -> list[list[float]]:
    """Every recorded run of ``phase``'s recipe on the test split, one per seed: the evidence for its tolerance."""
    row = phase_row(phase)
    if row.study:  # the study's first recipe is the phase's own
        return [run["acc"] for run in load(row.study, results)["recipes"][0]["runs"]]
    headline = load(result_file(phase), results)["test_acc"]
    spread = load(SPREAD, results)["phases"][str(phase)]["runs"]
    # a curve equal to the headline's is the same run recorded twice: counted once, or it would shrink the spread
    return [headline] + [run["acc"] for run in spread if run["acc"] != headline]


def compare(name: str, recorded: list[float], rerun: list[float], exact: bool, tolerance: float,
            prefix: bool = False) -> list[Check]:
    """The re-run's per-epoch accuracies against the recorded ones. ``prefix``: the re-run is the recorded run's first
    epochs (a shorter run of the same seed, which is the same run as far as it goes where no epoch's work depends
    on the number of epochs), compared exactly with them; only on the recording platform."""
    if prefix and not exact:
        raise ValueError("a shorter re-run can be checked only on the recording platform, bit for bit")
    if exact:
        total, recorded = len(recorded), recorded[:len(rerun)] if prefix else recorded
        differing = [epoch for epoch, (a, b) in enumerate(zip(recorded, rerun), start=1) if a != b]
        if len(recorded) != len(rerun):
            return [Check(name, FAIL, f"{len(rerun)} epochs re-run, {len(recorded)} recorded")]
        if differing:
            first = differing[0]
            return [Check(name, FAIL, f"exact: {len(differing)} epoch(s) differ, first epoch {first}: recorded "
                                      f"{recorded[first - 1]!r}, re-run {rerun[first - 1]!r}")]
        return [Check(name, PASS, f"exact: the first {len(rerun)} of {total} epochs equal" if prefix else
                      f"exact: all {total} epochs equal")]
    checks = []
    for label, was, now in zip(("last-5 minimum", "final"), _stats(recorded), _stats(rerun)):
        ok = abs(now - was) <= tolerance
        checks.append(Check(f"{name}, {label}", PASS if ok else FAIL,
                            f"recorded {was:.2f}, re-run {now:.2f}, |diff| {abs(now - was):.2f} "
                            f"{'<=' if ok else '>'} tolerance {tolerance:.2f}"))
    held_was, held_now = held(recorded), held(rerun)
    low = _stats(rerun)[0]
    if held_was == held_now:
        checks.append(Check(f"{name}, verdict", PASS, f"{'held' if held_now else 'not held'}, as recorded"))
    elif abs(low - TARGET_ACC) <= tolerance:
        checks.append(Check(f"{name}, verdict", CLOSE, f"recorded {'held' if held_was else 'not held'}, re-run "
                            f"last-5 minimum {low:.2f} is within {tolerance:.2f} of {TARGET_ACC:.2f}"))
    else:
        checks.append(Check(f"{name}, verdict", FAIL, f"recorded {'held' if held_was else 'not held'}, re-run "
                            f"{'held' if held_now else 'not held'} ({low:.2f}), beyond the tolerance {tolerance:.2f}"))
    return checks


def same_platform(recorded: dict, rerun: dict) -> bool:
    """Whether two results files come from the same platform (then the same seed must give the same numbers)."""
    return recorded.get("platform") is not None and recorded.get("platform") == rerun.get("platform")


def check_notebook(phase: int, recorded_dir: Path, rerun_dir: Path, prefix: bool = False) -> list[Check]:
    """Every check of one re-executed notebook: its headline run's test accuracy per epoch and, on the recording
    platform, where it is the same run bit for bit, its other per-epoch lists too (``EXACT_ALSO``); ``prefix``: the
    notebook re-ran its first epochs only."""
    recorded, rerun = load(result_file(phase), recorded_dir), load(result_file(phase), rerun_dir)
    exact = same_platform(recorded, rerun)
    tolerance, _ = spread_tolerance(phase_runs(phase, recorded_dir))
    name = f"phase {phase} headline (seed {recorded['seed']})"
    checks = compare(name, recorded["test_acc"], rerun["test_acc"], exact, tolerance, prefix=prefix)
    for key in (EXACT_ALSO if exact else ()):
        if key in recorded and key in rerun:
            checks += compare(f"{name}, {key}", recorded[key], rerun[key], exact, tolerance, prefix=prefix)
    return checks
