"""Phase 4's recipe trials on the validation split: their records, the decision rule, and their tables.

``make trials`` (``python -m utils.run_trials``) runs them; this module holds what reads and judges them.

The decision rule, fixed before the trials were run:

1. Score each candidate by its worst seed's minimum validation accuracy over the last 5 epochs.
2. Take the best score. Any candidate whose score is within the seed spread of the best (the larger of the two
   candidates' standard deviations over seeds of that last-5 minimum) counts as a tie, and of tied candidates the
   simplest, the earliest in the order A-F, is picked.
"""

import json
import statistics
from pathlib import Path

from .data import PART_SIZES
from .paths import results_dir
from .results import HOLD_EPOCHS

RULE = ("score = the worst seed's minimum validation accuracy over the last 5 epochs; the best score wins, except "
        "that a candidate within the seed spread of the best (the larger of the two standard deviations over seeds "
        "of the last-5 minimum) ties with it, and of tied candidates the earliest in the order A-F (the simplest) is "
        "picked")
SPLIT = {"train": "the first 50,000 training digits", "validation": "the last 10,000 training digits "
         "(indices 50,000-59,999 of the training file, fixed)", "train_size": PART_SIZES["fit"],
         "validation_size": PART_SIZES["validation"]}


def run_row(seed: int, accuracy: list[float], seconds: float, platform: dict) -> dict:
    """One seed's record: the per-epoch accuracy and its last-5 minimum, mean and final value."""
    last = accuracy[-HOLD_EPOCHS:]
    return {"seed": seed, "acc": accuracy, "min_last": min(last), "mean_last": statistics.fmean(last),
            "final": accuracy[-1], "seconds": round(seconds, 1), "platform": platform}


def summarize(runs: list[dict]) -> dict:
    lows = [run["min_last"] for run in runs]
    return {"seeds": len(runs), "worst_min_last": min(lows), "mean_min_last": statistics.fmean(lows),
            "std_min_last": statistics.stdev(lows) if len(lows) > 1 else 0.0,
            "mean_final": statistics.fmean(run["final"] for run in runs)}


def pick(candidates: list[dict]) -> tuple[str, str]:
    """The decision rule (module docstring) over ``candidates`` in order A-F; returns ``(name, reason)``."""
    summaries = {c["name"]: c["summary"] for c in candidates}
    best = max(summaries, key=lambda name: summaries[name]["worst_min_last"])
    top = summaries[best]
    for name, s in summaries.items():  # in order: the first tie is the simplest
        margin = max(s["std_min_last"], top["std_min_last"])
        if top["worst_min_last"] - s["worst_min_last"] <= margin:
            if name == best:
                return name, f"{name} has the best worst-seed last-5 minimum, {s['worst_min_last']:.2f}%"
            return name, (f"{best} scores best ({top['worst_min_last']:.2f}%), {name} ({s['worst_min_last']:.2f}%) is "
                          f"within the seed spread ({margin:.2f}) and is simpler")
    raise AssertionError("unreachable: the best candidate ties with itself")


PHASE5_REFERENCE = "C"  # phase 4's recipe and model in phase 4's trials: the level phase 5's smaller models must hold
PHASE5_RULE = ("score = the worst seed's minimum validation accuracy over the last 5 epochs; a candidate holds phase "
               "4's level when its score is at least phase 4's (recipe C of phase 4's trials, the same seeds) minus "
               "the seed spread (the larger of the two standard deviations over seeds of the last-5 minimum); of the "
               "candidates that hold, the one with the fewest parameters is picked; if none holds, the best score")


def pick_smallest(candidates: list[dict], reference: dict) -> tuple[str, str]:
    """Phase 5's rule (``PHASE5_RULE``): the fewest parameters among the candidates that hold ``reference``'s level."""
    ref = reference["summary"]
    holding = [c for c in candidates
               if ref["worst_min_last"] - c["summary"]["worst_min_last"]
               <= max(ref["std_min_last"], c["summary"]["std_min_last"])]
    if not holding:
        best = max(candidates, key=lambda c: c["summary"]["worst_min_last"])
        return best["name"], (f"no candidate holds phase 4's level ({ref['worst_min_last']:.2f}%); {best['name']} "
                              f"scores best ({best['summary']['worst_min_last']:.2f}%)")
    smallest = min(holding, key=lambda c: c["params"])
    return smallest["name"], (f"{smallest['name']} ({smallest['params']:,} parameters) is the smallest that holds "
                              f"phase 4's level: worst-seed last-5 minimum {smallest['summary']['worst_min_last']:.2f}% "
                              f"against {ref['worst_min_last']:.2f}%")


def trials_markdown(record: dict) -> str:
    """The trials as a table: each candidate's levers, each seed's last-5 validation minimum, and the decision."""
    seeds = record["seeds"]
    what = "parameters" if "reference" in record else "what it adds"
    lines = [f"| candidate | {what} | " + " | ".join(f"seed {s}: last-5 min / final" for s in seeds)
             + " | worst last-5 min | std | mean final |", "|---|---|" + "---:|" * (len(seeds) + 3)]
    rows = record["candidates"] + ([record["reference"]] if "reference" in record else [])
    for c in rows:
        runs = {run["seed"]: run for run in c["runs"]}
        cells = [f"{runs[s]['min_last']:.2f} / {runs[s]['final']:.2f}" if s in runs else "not run" for s in seeds]
        s = c["summary"] or {}
        name = f"**{c['name']}**" if c["name"] == record.get("picked") else c["name"]
        lines.append(f"| {name} | {c['levers']} | " + " | ".join(cells) + " | "
                     + (f"{s['worst_min_last']:.2f} | {s['std_min_last']:.2f} | {s['mean_final']:.2f} |" if s else "| | |"))
    verdict = (f"Picked: **{record['picked']}**, {record['reason']}." if record.get("complete")
               else "_Incomplete: not every run has finished._")
    return "\n".join(lines) + f"\n\nValidation split: {record['split']['validation']}; trained on " \
        f"{record['split']['train']}. Rule: {record['rule']}.\n\n{verdict}"


TRIALS_FILES = {4: ("phase4_trials.json", "make trials"), 5: ("phase5_search.json", "make search")}


def load_trials(results=None, phase: int = 4) -> dict:
    """``results/phase4_trials.json`` (``make trials``) or, for phase 5, ``results/phase5_search.json``
    (``make search``), as the command recorded it."""
    name, command = TRIALS_FILES[phase]
    path = Path(results or results_dir()) / name
    if not path.exists():
        raise FileNotFoundError(f"no trials at {path}: run `{command}` first")
    return json.loads(path.read_text())


def levers_markdown(record: dict) -> str:
    """Each lever of the cumulative candidates, and what it did to the worst seed's last-5 validation minimum."""
    candidates = record["candidates"]
    lines = []
    for before, after in zip(candidates, candidates[1:]):
        was, now = before["summary"]["worst_min_last"], after["summary"]["worst_min_last"]
        used = "used" if _index(candidates, after["name"]) <= _index(candidates, record["picked"]) else "not used"
        lines.append(f"- {after['name']} ({after['levers']}, on top of {before['name']}): worst-seed last-5 validation "
                     f"minimum {was:.2f}% -> {now:.2f}% ({now - was:+.2f}); {used} in phase 4's recipe")
    return "\n".join(lines)


def _index(candidates: list[dict], name: str) -> int:
    return [c["name"] for c in candidates].index(name)
