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
from .recipes import SCHEDULE_LEVERS
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


# Round 2: trials with the power to tell candidates apart (committed before any of its runs).
ROUND2_STAGE1_SEEDS = (1, 2, 3, 4)
ROUND2_STAGE2_SEEDS = (5, 6, 7, 8)
ROUND2_RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs. Stage 1: the base (round "
    "1's pick, C) and each single lever on seeds 1-4. Stage 2: the base, the three best single levers of stage 1, and "
    "the combinations stage 1 calls for, on seeds 5-8 (combinations on seeds 1-8): the levers that beat the base in "
    "stage 1 (a positive mean paired difference; of the two schedule levers, only the better), the best two together "
    "and, when there are three or more, all of them together. Decision, over seeds 1-8 among the stage-2 "
    "candidates: the best score; a candidate whose mean paired difference from the best, seed by seed, is within one "
    "standard error of that difference ties with it; of tied candidates the one with the fewest levers is picked "
    "(then the better score)")


def paired(a: list[dict], b: list[dict]) -> dict:
    """``a`` minus ``b`` seed by seed over the seeds both ran: the mean difference of the last-5 minimum, its standard
    error (the standard deviation of the differences over the square root of their number) and the seeds used."""
    by_seed = {run["seed"]: run["min_last"] for run in b}
    diffs = [run["min_last"] - by_seed[run["seed"]] for run in a if run["seed"] in by_seed]
    se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
    return {"mean": statistics.fmean(diffs) if diffs else float("nan"), "se": se, "seeds": len(diffs)}


def score(runs: list[dict], seeds) -> dict:
    """Mean and standard error over ``seeds`` of the last-5 minimum (the runs of other seeds are left out)."""
    lows = [run["min_last"] for run in runs if run["seed"] in seeds]
    se = statistics.stdev(lows) / len(lows) ** 0.5 if len(lows) > 1 else float("nan")
    return {"seeds": len(lows), "mean": statistics.fmean(lows) if lows else float("nan"), "se": se}


def _runs_on(candidate: dict, seeds) -> list[dict]:
    return [run for run in candidate["runs"] if run["seed"] in seeds]


def stage2_candidates(stage1: list[dict]) -> list[tuple[str, ...]]:
    """The lever tuples stage 2 runs, from the finished stage 1 (``{"levers": (...), "runs": [...]}`` each, the base
    with no levers): the base, the three best single levers, and the combinations the rule calls for."""
    seeds = ROUND2_STAGE1_SEEDS
    base = next(c for c in stage1 if not c["levers"])
    singles = [c for c in stage1 if c["levers"]]
    singles.sort(key=lambda c: -score(c["runs"], seeds)["mean"])  # stable: ties keep the lever order
    picked = [tuple(base["levers"])] + [tuple(c["levers"]) for c in singles[:3]]
    gains = [(paired(_runs_on(c, seeds), _runs_on(base, seeds))["mean"], c["levers"][0]) for c in singles]
    helpful = [lever for gain, lever in sorted(gains, key=lambda g: -g[0]) if gain > 0]
    schedules = [lever for lever in helpful if lever in SCHEDULE_LEVERS]
    helpful = [lever for lever in helpful if lever not in schedules[1:]]  # the better schedule lever only
    if len(helpful) >= 2:
        picked.append(tuple(helpful[:2]))
    if len(helpful) >= 3:
        picked.append(tuple(helpful))
    return picked


def pick_powered(finalists: list[dict]) -> tuple[str, str, dict]:
    """Round 2's decision over seeds 1-8 among the stage-2 candidates (``ROUND2_RULE``): returns ``(name, reason,
    comparisons)``, where ``comparisons`` maps each name to its score and its paired difference from the best."""
    seeds = ROUND2_STAGE1_SEEDS + ROUND2_STAGE2_SEEDS
    scores = {c["name"]: score(c["runs"], seeds) for c in finalists}
    best = max(finalists, key=lambda c: scores[c["name"]]["mean"])
    comparisons = {}
    for c in finalists:
        diff = paired(_runs_on(c, seeds), _runs_on(best, seeds))
        comparisons[c["name"]] = {"score": scores[c["name"]], "vs_best": diff,
                                  "tie": c is best or -diff["mean"] <= diff["se"]}
    tied = [c for c in finalists if comparisons[c["name"]]["tie"]]
    chosen = min(tied, key=lambda c: (len(c["levers"]), -scores[c["name"]]["mean"]))
    top = scores[best["name"]]["mean"]
    if chosen is best:
        reason = f"{best['name']} has the best mean last-5 minimum, {top:.3f}%"
    else:
        d = comparisons[chosen["name"]]["vs_best"]
        reason = (f"{best['name']} scores best ({top:.3f}%); {chosen['name']} ({scores[chosen['name']]['mean']:.3f}%, "
                  f"paired difference {d['mean']:+.3f} +- {d['se']:.3f}) is within one standard error and has fewer "
                  f"levers")
    return chosen["name"], reason, comparisons
