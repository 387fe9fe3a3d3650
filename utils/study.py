"""The multi-seed study: the same recipe under several seeds, to show whether 99.4% is held or only touched."""

import statistics
import time
from dataclasses import dataclass

from .runs import train_recipe
from .results import GOAL_PARAMS, HOLD_EPOCHS, STRETCH_PARAMS, TARGET_ACC, recipe_of


@dataclass
class SeedStudy:
    name: str
    config: dict
    runs: list[dict]  # one per seed: seed, test_acc (per epoch), min_last, final, best, first_epoch_at_target

    @property
    def held(self) -> int:
        """How many seeds held the target in each of the last ``HOLD_EPOCHS`` epochs."""
        return sum(run["min_last"] >= TARGET_ACC for run in self.runs)

    def summary(self) -> dict:
        finals = [run["final"] for run in self.runs]
        return {"recipe": self.name, "seeds": len(self.runs), "held": self.held,
                "mean_final": statistics.fmean(finals),
                "std_final": statistics.stdev(finals) if len(finals) > 1 else 0.0,
                "worst_min_last": min(run["min_last"] for run in self.runs)}

    def as_dict(self) -> dict:
        return {"name": self.name, "recipe": recipe_of(self.config), "runs": self.runs, "summary": self.summary()}


def seed_row(seed: int, test_acc: list[float]) -> dict:
    """One seed's line of the study table, from its per-epoch test accuracy."""
    reached = [epoch for epoch, acc in enumerate(test_acc, start=1) if acc >= TARGET_ACC]
    return {"seed": seed, "test_acc": test_acc, "min_last": min(test_acc[-HOLD_EPOCHS:]), "final": test_acc[-1],
            "best": max(test_acc), "first_epoch_at_target": reached[0] if reached else None}


def run_seed_study(name: str, config: dict, seeds: list[int], device, done: dict | None = None,
                   log=print) -> SeedStudy:
    """Train ``config`` once per seed (each a complete run: seeding, model, loaders, training) and tabulate.

    ``done`` maps a seed to the ``History`` of a run of this very config already made (the notebook's headline
    run), which is reused instead of trained again: the same seed gives the same run on the same machine.
    One line per seed through ``log``; a progress bar while each run trains, gone when it ends.
    """
    runs = []
    for index, seed in enumerate(seeds, start=1):
        start = time.perf_counter()
        if done and seed in done:
            history, source = done[seed], "the headline run above, reused"
        else:
            _, history = train_recipe({**config, "seed": seed}, device, leave=False, log=None)
            source = f"{time.perf_counter() - start:.0f} s"
        runs.append(seed_row(seed, history.test_acc))
        log(f"{name}, seed {seed} ({index}/{len(seeds)}): last-{HOLD_EPOCHS} minimum {runs[-1]['min_last']:.2f}%, "
            f"final {runs[-1]['final']:.2f}% ({source})")
    return SeedStudy(name, config, runs)


def study_markdown(study: SeedStudy) -> str:
    """Per-seed table and summary line of one recipe's study."""
    lines = [f"**{study.name}**", "",
             f"| seed | min test acc, last {HOLD_EPOCHS} | final | best | first epoch >= {TARGET_ACC:.2f} |",
             "|---:|---:|---:|---:|---:|"]
    for run in study.runs:
        first = run["first_epoch_at_target"] or "never"
        lines.append(f"| {run['seed']} | {run['min_last']:.2f} | {run['final']:.2f} | {run['best']:.2f} | {first} |")
    s = study.summary()
    lines.append(f"\n{s['held']} of {s['seeds']} seeds held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} "
                 f"epochs; final accuracy {s['mean_final']:.2f} +- {s['std_final']:.2f}% (mean +- std); "
                 f"worst last-{HOLD_EPOCHS} minimum {s['worst_min_last']:.2f}%.")
    return "\n".join(lines)


def goal_met(params: int, summary: dict) -> bool:
    """Phase 5's goal: at most ``GOAL_PARAMS`` parameters, holding >= 99.40% in each of the last 5 epochs on every
    seed of the study whose ``SeedStudy.summary()`` is ``summary``."""
    return params <= GOAL_PARAMS and summary["held"] == summary["seeds"]


def held_line(summary: dict) -> str:
    return f"held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} epochs on {summary['held']} of {summary['seeds']} seeds"


def goal_verdict(params: int, study: SeedStudy) -> str:
    """Phase 5's goal against its seed study, one line per condition (stretch goal: ``STRETCH_PARAMS``)."""
    s = study.summary()
    lines = [f"{'met    ' if params <= GOAL_PARAMS else 'not met'}  parameters {params:,} <= {GOAL_PARAMS:,} "
             f"(stretch goal {STRETCH_PARAMS:,}: {'met' if params <= STRETCH_PARAMS else 'not met'})",
             f"{'met    ' if s['held'] == s['seeds'] else 'not met'}  {held_line(s)}"]
    return "\n".join(lines + [f"phase 5 goal {'MET' if goal_met(params, s) else 'NOT MET'}"])
