"""What the rules of every round of trials and searches share: the validation split they run on, the paired
statistics they compare candidates with, the tie rule (``choose``), who goes on to more seeds (``survivors``) and the
level a candidate's own seed spread sets (``own_levels``). Each round's plan sits in a module of its own;
``utils.report.tables`` shows the records.
"""

import statistics

from ..core.data import PART_SIZES
from ..goal import HOLD_Z, TARGET_ACC
from ..records import summarize

SPLIT = {"train": "the first 50,000 training digits", "validation": "the last 10,000 training digits "
         "(indices 50,000-59,999 of the training file, fixed)", "train_size": PART_SIZES["fit"],
         "validation_size": PART_SIZES["validation"]}


def paired(a: list[dict], b: list[dict]) -> dict:
    """``a`` minus ``b`` seed by seed over the seeds both ran: the mean difference of the last-5 minimum, its standard
    error (the standard deviation of the differences over the square root of their number) and the seeds used."""
    by_seed = {run["seed"]: run["min_last"] for run in b}
    diffs = [run["min_last"] - by_seed[run["seed"]] for run in a if run["seed"] in by_seed]
    se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
    return {"mean": statistics.fmean(diffs) if diffs else float("nan"), "se": se, "seeds": len(diffs)}


def paired_text(d: dict) -> str:
    """A paired difference (``paired``) as '+0.075 +- 0.032': rounded to 9 decimals first, so that one number prints
    alike wherever it is computed (-0.0575 once as -0.05749999999999744, once as -0.057500000000000995 would print as
    -0.057 and -0.058)."""
    return f"{round(d['mean'], 9):+.3f} +- {round(d['se'], 9):.3f}"


def apart(d: dict) -> int:
    """How far a paired difference (``paired``) sits from zero, in its standard errors: 0 within one (no detectable
    difference), 1 beyond one but not two, 2 beyond two. Every view that puts the difference into words asks here."""
    size = abs(d["mean"])
    return 0 if size <= d["se"] else 1 if size <= 2 * d["se"] else 2


def apart_words(d: dict) -> str:
    """``apart`` in words, with the difference's direction where it is detectable: the one phrasing every view uses."""
    n = apart(d)
    if not n:
        return "no detectable difference (within one standard error)"
    return (f"{'higher' if d['mean'] > 0 else 'lower'} by more than "
            + ("two standard errors" if n == 2 else "one standard error, less than two"))


def score(runs: list[dict], seeds) -> dict:
    """Mean and standard error over ``seeds`` of the last-5 minimum (the runs of other seeds are left out)."""
    s = summarize([run for run in runs if run["seed"] in seeds])
    return {"seeds": s["seeds"], "mean": s["mean_min_last"], "se": s["se_min_last"]}


def runs_on(candidate: dict, seeds) -> list[dict]:
    return [run for run in candidate["runs"] if run["seed"] in seeds]


def choose(candidates: list[dict], seeds, over: str = "") -> tuple[dict, dict, dict, str]:
    """The tie rule: over ``seeds``, the best candidate by mean last-5 minimum, and the candidate with the fewest levers
    within one paired standard error of it (ties to the higher mean). Returns ``(best, chosen, comparisons, reason)``;
    ``comparisons`` maps each name to its score, its paired difference from the best and whether it ties with it;
    ``over`` names the seeds in the reason's first words (" over seeds 1-16")."""
    scores = {c["name"]: score(c["runs"], seeds) for c in candidates}
    best = max(candidates, key=lambda c: scores[c["name"]]["mean"])
    comparisons = {}
    for c in candidates:
        d = paired(runs_on(c, seeds), runs_on(best, seeds))
        comparisons[c["name"]] = {"score": scores[c["name"]], "vs_best": d, "tie": c is best or -d["mean"] <= d["se"]}
    tied = [c for c in candidates if comparisons[c["name"]]["tie"]]
    chosen = min(tied, key=lambda c: (len(c["levers"]), -scores[c["name"]]["mean"]))
    top = scores[best["name"]]["mean"]
    if chosen is best:
        reason = f"{best['name']} has the best mean last-5 minimum{over}, {top:.3f}%"
    else:
        d = comparisons[chosen["name"]]["vs_best"]
        reason = (f"{best['name']} scores best ({top:.3f}%); {chosen['name']} ({scores[chosen['name']]['mean']:.3f}%, "
                  f"paired difference {paired_text(d)}) is within one standard error and has fewer levers")
    return best, chosen, comparisons, reason


def survivors(candidates: list[dict], seeds) -> list[str]:
    """The names of every candidate not worse than the best (by mean over ``seeds``) by more than two paired
    standard errors: who goes on to more seeds."""
    best = max(candidates, key=lambda c: score(c["runs"], seeds)["mean"])
    kept = []
    for c in candidates:
        d = paired(runs_on(c, seeds), runs_on(best, seeds))
        if c is best or -d["mean"] <= 2 * d["se"]:
            kept.append(c["name"])
    return kept


def own_levels(entries: dict, base: str, offset: float) -> dict:
    """Each entry's level from its own seed spread: the mean at which a spread like its own holds on 9 of every 10
    seeds (``TARGET_ACC`` + ``HOLD_Z`` x its standard deviation of the last-5 minimum), moved onto validation digits
    by ``offset`` (validation mean minus test mean of a recipe studied on both); with its score over all its seeds, its
    paired difference from ``base`` (an entry's name), its margin and whether it is expected to hold (its mean plus
    the paired standard error reaches its level)."""
    table = {}
    for name, c in entries.items():
        s = score(c["runs"], [run["seed"] for run in c["runs"]])
        spread = s["se"] * s["seeds"] ** 0.5
        level = TARGET_ACC + HOLD_Z * spread + offset
        d = paired(c["runs"], entries[base]["runs"]) if name != base else {"mean": 0.0, "se": 0.0, "seeds": s["seeds"]}
        table[name] = {"params": c.get("params"), "score": s, "std": spread, "vs_base": d, "level": level,
                       "margin": s["mean"] - level, "expected_to_hold": s["mean"] + d["se"] >= level}
    return table
