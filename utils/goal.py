"""The target, defined once: its numbers, what "held" means, and the verdicts. A leaf: it imports nothing of the
project.

The target as written: fewer than ``MAX_PARAMS`` parameters, at most ``MAX_EPOCHS`` epochs, and a test accuracy of at
least ``TARGET_ACC`` in each of the last ``HOLD_EPOCHS`` epochs, **on at least ``GOAL_HELD`` of every ``GOAL_SEEDS``
seeds** of a seed study (a study needs at least ``GOAL_SEEDS`` seeds to judge it). One run holds or misses; only a
study meets or misses the target. Phase 5 adds a size: at most ``GOAL_PARAMS`` parameters.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

MAX_PARAMS = 8000      # the mission: fewer than this many parameters,
MAX_EPOCHS = 15        # at most this many epochs,
TARGET_ACC = 99.40     # and at least this test accuracy (percent)
HOLD_EPOCHS = 5        # in each of this many last epochs.
GOAL_PARAMS = 4000     # phase 5's goal: at most this many parameters (stretch goal: STRETCH_PARAMS),
STRETCH_PARAMS = 3000
GOAL_HELD, GOAL_SEEDS = 9, 10  # held on at least 9 of every 10 seeds (a study of at least 10 seeds).
# The normal quantile of 9 in 10: a recipe whose last-5 minimum over seeds has mean m and standard deviation sd holds
# on 9 of every 10 seeds, in the long run, when m >= TARGET_ACC + HOLD_Z x sd (1.2816).
HOLD_Z = NormalDist().inv_cdf(GOAL_HELD / GOAL_SEEDS)


def judged(per_epoch):
    """The last ``HOLD_EPOCHS`` items of ``per_epoch`` (a list of per-epoch values, or ``range(epochs)`` for their
    indices): the window the target judges, every epoch when fewer ran. The one place the window is sliced."""
    return per_epoch[-HOLD_EPOCHS:]


def last5_min(accuracy: list[float]) -> float:
    """The lowest accuracy over the last ``HOLD_EPOCHS`` epochs: the number the target judges."""
    return min(judged(accuracy))


def held(accuracy: list[float]) -> bool:
    """Whether a run held ``TARGET_ACC`` in each of its last ``HOLD_EPOCHS`` epochs (a shorter run cannot)."""
    return len(accuracy) >= HOLD_EPOCHS and last5_min(accuracy) >= TARGET_ACC


@dataclass(frozen=True)
class Verdict:
    lines: list[str]
    met: bool

    def __str__(self) -> str:
        return "\n".join(self.lines + [f"this run: {'held' if self.met else 'did not hold'}"])


def _line(ok: bool, text: str) -> str:
    return f"{'met    ' if ok else 'not met'}  {text}"


def verdict(params: int, history) -> Verdict:
    """One run's history (``test_acc`` per epoch) against the target's per-run part: parameters, epochs and the last
    ``HOLD_EPOCHS`` accuracies (whether it holds over seeds is ``study_verdict``'s)."""
    accuracy = history.test_acc
    last = judged(accuracy)
    checks = [
        (params < MAX_PARAMS, f"parameters {params:,} < {MAX_PARAMS:,}"),
        (len(accuracy) <= MAX_EPOCHS, f"epochs {len(accuracy)} <= {MAX_EPOCHS}"),
        (held(accuracy), f"test accuracy >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} epochs: "
                         f"{', '.join(f'{a:.2f}' for a in last)}"
                         + ("" if len(last) == HOLD_EPOCHS else f" (only {len(last)} epochs run)")),
    ]
    return Verdict([_line(ok, text) for ok, text in checks], all(ok for ok, _ in checks))


def goal_held(summary: dict) -> bool:
    """The target's consistency over a seed study (``utils.records.summarize`` of its runs) of at least
    ``GOAL_SEEDS`` seeds: held on at least ``GOAL_HELD`` of every ``GOAL_SEEDS`` (9 of 10; 18 of 20)."""
    return summary["seeds"] >= GOAL_SEEDS and summary["held"] * GOAL_SEEDS >= GOAL_HELD * summary["seeds"]


def study_verdict(summary: dict) -> str:
    """The target as written, judged over a seed study: 'held ... on 8 of 10 seeds (the target: at least 9 of every
    10): target NOT MET (...)'."""
    short = f"; a study of {summary['seeds']} seeds cannot judge it" if summary["seeds"] < GOAL_SEEDS else ""
    return (f"held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} epochs on {summary['held']} of "
            f"{summary['seeds']} seeds (the target: at least {GOAL_HELD} of every {GOAL_SEEDS}{short}): target "
            f"{'MET' if goal_held(summary) else 'NOT MET'} (last-{HOLD_EPOCHS} minimum {summary['mean_min_last']:.2f} "
            f"+- {summary['se_min_last']:.2f}% over seeds, worst {summary['worst_min_last']:.2f}%)")


def goal_line() -> str:
    """Phase 5's goal in words, as every view of it states it."""
    return (f"at most {GOAL_PARAMS:,} parameters (stretch goal: {STRETCH_PARAMS:,}), holding on at least "
            f"{GOAL_HELD} of {GOAL_SEEDS} seeds")


def hold_rate_bound(held_seeds: int, seeds: int, confidence: float = 0.95) -> float:
    """How sure a study is: the lowest rate of holding that ``held_seeds`` of ``seeds`` still allows at
    ``confidence`` (the one-sided Clopper-Pearson bound: the rate at which seeing ``held_seeds`` or more has chance
    1 - ``confidence``). 10 of 10 bounds it at 0.741; 18 of 20 at 0.717."""
    if held_seeds == 0:
        return 0.0

    def at_least(rate: float) -> float:
        return sum(math.comb(seeds, k) * rate ** k * (1 - rate) ** (seeds - k) for k in range(held_seeds, seeds + 1))
    low, high = 0.0, 1.0
    for _ in range(60):  # bisection: at_least rises with the rate
        mid = (low + high) / 2
        low, high = (mid, high) if at_least(mid) < 1 - confidence else (low, mid)
    return low


def spreads_above(summary: dict) -> float:
    """How far a study's mean last-5 minimum sits above ``TARGET_ACC``, in its seeds' standard deviations: about
    1.28 holds on 9 of every 10 seeds when the spread is normal."""
    return (summary["mean_min_last"] - TARGET_ACC) / summary["std_min_last"]


def how_sure(summary: dict) -> str:
    """What a study's count and spread say beyond the count (``hold_rate_bound``, ``spreads_above``), in words."""
    bound = hold_rate_bound(summary["held"], summary["seeds"])
    where = (f"sits {spreads_above(summary):.2f} seed standard deviations above {TARGET_ACC:.2f}% ({GOAL_HELD} of "
             f"every {GOAL_SEEDS} needs about {HOLD_Z:.2f} where the spread is normal)" if summary["std_min_last"] else
             f"is {summary['mean_min_last'] - TARGET_ACC:+.2f} points from {TARGET_ACC:.2f}%, every seed alike")
    return (f"with 95% confidence a seed holds at least {bound:.0%} of the time (one-sided Clopper-Pearson, "
            f"{summary['held']} of {summary['seeds']}); the mean last-{HOLD_EPOCHS} minimum, "
            f"{summary['mean_min_last']:.2f}%, {where}")
