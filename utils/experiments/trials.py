"""The trials and searches on the validation split: the decision rules that judge them, fixed before their runs.

``utils.experiments.runner`` runs them (``make trials``, ``make search``); ``utils.report.tables`` shows them.

The decision rule, fixed before the trials were run:

1. Score each candidate by its worst seed's minimum validation accuracy over the last 5 epochs.
2. Take the best score. Any candidate whose score is within the seed spread of the best (the larger of the two
   candidates' standard deviations over seeds of that last-5 minimum) counts as a tie, and of tied candidates the
   simplest, the earliest in the order A-F, is picked.
"""

import json
import statistics

from ..core.data import PART_SIZES
from ..phases import phase as phase_row
from ..recipes import SCHEDULE_LEVERS
from ..records import load, summarize

RULE = ("score = the worst seed's minimum validation accuracy over the last 5 epochs; the best score wins, except "
        "that a candidate within the seed spread of the best (the larger of the two standard deviations over seeds "
        "of the last-5 minimum) ties with it, and of tied candidates the earliest in the order A-F (the simplest) is "
        "picked")
SPLIT = {"train": "the first 50,000 training digits", "validation": "the last 10,000 training digits "
         "(indices 50,000-59,999 of the training file, fixed)", "train_size": PART_SIZES["fit"],
         "validation_size": PART_SIZES["validation"]}


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


def load_trials(results=None, phase: int = 4) -> dict:
    """The trials (phase 4) or the search (phase 5) that chose the phase's recipe, as the command recorded it."""
    return load(phase_row(phase).chosen_by, results)


def load_study(phase: int, results=None) -> dict:
    """The seed study of ``phase`` as recorded (``make study PHASE=N``); an error, not a stale table, when its first
    recipe is not the phase's recipe of today (the recipe changed since: record the study again)."""
    row = phase_row(phase)
    study = load(row.study, results)
    recorded, recipe = study["recipes"][0]["recipe"], json.loads(json.dumps(row.recipe))
    if recorded != recipe:
        changed = ", ".join(key for key in recipe if recorded.get(key) != recipe[key])
        raise ValueError(f"results/{row.study} records another recipe than phase {phase}'s (it differs in: {changed}):"
                         f" run make study PHASE={phase} to record the study of this one")
    return study


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
    s = summarize([run for run in runs if run["seed"] in seeds])
    return {"seeds": s["seeds"], "mean": s["mean_min_last"], "se": s["se_min_last"]}


def runs_on(candidate: dict, seeds) -> list[dict]:
    return [run for run in candidate["runs"] if run["seed"] in seeds]


def stage2_candidates(stage1: list[dict]) -> list[tuple[str, ...]]:
    """The lever tuples stage 2 runs, from the finished stage 1 (``{"levers": (...), "runs": [...]}`` each, the base
    with no levers): the base, the three best single levers, and the combinations the rule calls for."""
    seeds = ROUND2_STAGE1_SEEDS
    base = next(c for c in stage1 if not c["levers"])
    singles = [c for c in stage1 if c["levers"]]
    singles.sort(key=lambda c: -score(c["runs"], seeds)["mean"])  # stable: ties keep the lever order
    picked = [tuple(base["levers"])] + [tuple(c["levers"]) for c in singles[:3]]
    gains = [(paired(runs_on(c, seeds), runs_on(base, seeds))["mean"], c["levers"][0]) for c in singles]
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
        diff = paired(runs_on(c, seeds), runs_on(best, seeds))
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


# Phase 5's search, round 2 (``make search``): committed before its runs.
# Phase 4's round-2 seeds: each run pairs with phase 4's own run of the same seed, its reference.
SEARCH2_STAGE1_SEEDS, SEARCH2_FINAL_SEEDS = ROUND2_STAGE1_SEEDS, ROUND2_STAGE2_SEEDS
SEARCH2_RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs; compared through the paired "
    "difference over the same seeds and its standard error, within one standard error being a tie. Stage 1: every "
    "architecture (at most 4,000 parameters) under phase 4's recipe, seeds 1-4. Stage 2: each recipe lever on the "
    "frontier architecture (the fewest parameters among those tied with stage 1's best), seeds 1-4. Stage 3: the "
    "finalists (the best of stages 1-2, the fewest-parameter candidate tied with it, and the best lever candidate) "
    "on seeds 5-8 as well. Decision over seeds 1-8: of the finalists tied with the best, the fewest parameters "
    "(then the higher mean); it reaches phase 4's level when its paired difference from phase 4's recipe and model "
    "(round 2 of phase 4's trials, the same digits and seeds) is above minus one standard error, and the table says "
    "so either way")


def _tied_with_best(candidates: list[dict], seeds) -> tuple[dict, list[dict]]:
    """The best candidate over ``seeds`` (by mean) and every candidate within one paired standard error of it."""
    best = max(candidates, key=lambda c: score(c["runs"], seeds)["mean"])
    tied = []
    for c in candidates:
        d = paired(runs_on(c, seeds), runs_on(best, seeds))
        if c is best or -d["mean"] <= d["se"]:
            tied.append(c)
    return best, tied


def frontier(stage1: list[dict]) -> dict:
    """Stage 1's frontier architecture (``{"name", "params", "runs"}`` each): the fewest parameters among the
    candidates tied with the best over seeds 1-4 (``SEARCH2_RULE``)."""
    _, tied = _tied_with_best(stage1, SEARCH2_STAGE1_SEEDS)
    return min(tied, key=lambda c: (c["params"], -score(c["runs"], SEARCH2_STAGE1_SEEDS)["mean"]))


def search2_finalists(stage1: list[dict], stage2: list[dict]) -> list[str]:
    """The names that run seeds 5-8: the best of stages 1-2, the fewest-parameter candidate tied with it, and the best
    lever candidate of stage 2 (each once, in that order)."""
    seeds = SEARCH2_STAGE1_SEEDS
    best, tied = _tied_with_best(stage1 + stage2, seeds)
    smallest = min(tied, key=lambda c: (c["params"], -score(c["runs"], seeds)["mean"]))
    names = [best["name"], smallest["name"]]
    if stage2:
        names.append(max(stage2, key=lambda c: score(c["runs"], seeds)["mean"])["name"])
    return list(dict.fromkeys(names))


def pick_search2(finalists: list[dict], reference: dict) -> tuple[str, str]:
    """The decision over seeds 1-8 (``SEARCH2_RULE``): the fewest parameters among the finalists tied with the best;
    ``reference`` is phase 4's recipe and model on the same split and seeds. Returns ``(name, reason)``."""
    seeds = SEARCH2_STAGE1_SEEDS + SEARCH2_FINAL_SEEDS
    best, tied = _tied_with_best(finalists, seeds)
    chosen = min(tied, key=lambda c: (c["params"], -score(c["runs"], seeds)["mean"]))
    mean = score(chosen["runs"], seeds)["mean"]
    reason = (f"{chosen['name']} ({chosen['params']:,} parameters, mean {mean:.3f}%) has the fewest parameters of the "
              f"finalists within one standard error of the best" if chosen is not best else
              f"{chosen['name']} ({chosen['params']:,} parameters) has the best mean, {mean:.3f}%, and no finalist "
              f"with fewer parameters is within one standard error of it")
    d = paired(runs_on(chosen, seeds), runs_on(reference, seeds))
    level = "reaches" if d["mean"] >= -d["se"] else "does NOT reach"
    return chosen["name"], (f"{reason}; it {level} phase 4's level (paired difference from phase 4's recipe and model "
                            f"{d['mean']:+.3f} +- {d['se']:.3f} over {d['seeds']} seeds)")
