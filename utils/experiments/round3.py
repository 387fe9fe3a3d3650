"""Phase 4's trials, round 3: levers aimed at the *mean* last-5 minimum, not at its noise.

The base, the levers, the stages and the rule, fixed before any run. ``utils.experiments.runner.round3`` runs them on
the validation split and records every run in ``results/phase4_trials_round3.json``.

Why these levers: levers aimed at end-of-run stability moved the mean by about 0.02 points; holding on 9 of 10 test
seeds needs about +0.05. Two directions: more optimisation in the same 15 epochs (smaller batches: the one lever in the
records that moved a mean by about 0.1), and a weight average that matches the judged window (at decay 0.999 per step a
quarter of the average at epoch 11 still rests on iterates from before the first lr drop; its BatchNorm statistics are
averages of running statistics, not the statistics of the averaged weights).
"""

from ..recipes import tweak
from .trials import choose, paired, paired_text, runs_on, score, survivors as stats_survivors

# The base every lever changes: phase 3's recipe with MultiStepLR([8, 12], 0.1) from a peak lr of 0.1, plus an EMA of
# the weights and BatchNorm buffers, decay 0.999 per step. A literal: phase 4's recipe is this round's pick.
BASE = {
    "model": 3,
    "train": {"epochs": 15, "batch_size": 128, "label_smoothing": 0.0, "ema": 0.999},
    "optimizer": {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "multistep", "milestones": (8, 12), "gamma": 0.1},
    "augment": {"degrees": 7.0, "translate": (0.1, 0.1), "scale": (0.9, 1.1), "brightness": 0.2, "contrast": 0.2},
}
BN_DIGITS = 10_000  # precise-bn: the first 10,000 training digits, as stored, recompute the average's statistics

LEVERS = {  # name: (what it does, its changes to the recipe); each free in parameters
    "batch-64": ("batches of 64: twice the optimiser steps in the same 15 epochs", {"train.batch_size": 64}),
    "batch-32": ("batches of 32: four times the optimiser steps", {"train.batch_size": 32}),
    "ema-0.998": ("EMA decay 0.998 per step: a window of ~500 steps (about one epoch), not ~1,000",
                  {"train.ema": 0.998}),
    "ema-restart": ("the weight average restarted at the first lr drop (after epoch 8): the judged epochs see an "
                    "average of settled iterates only", {"train.ema_restart": 8}),
    "precise-bn": (f"the average's BatchNorm statistics recomputed for its own weights before each evaluation, over "
                   f"the first {BN_DIGITS:,} training digits as stored", {"train.bn_refresh": BN_DIGITS}),
    "wd+nesterov": ("weight decay 1e-4 and Nesterov momentum together (round 2 ran each alone, never both)",
                    {"optimizer.weight_decay": 1e-4, "optimizer.nesterov": True}),
    "drops-10-13": ("lr / 10 after epochs 10 and 13 instead of 8 and 12: the peak lr held two epochs longer",
                    {"schedule.milestones": (10, 13)}),
    "lr-0.05": ("peak lr 0.05 (0.1 scaled linearly to batches of 64)", {"optimizer.lr": 0.05}),
    "lr-0.025": ("peak lr 0.025 (0.1 scaled linearly to batches of 32)", {"optimizer.lr": 0.025}),
}
SINGLES = ("batch-64", "batch-32", "ema-0.998", "ema-restart", "precise-bn", "wd+nesterov", "drops-10-13")
BATCH_LEVERS = {"batch-64": "lr-0.05", "batch-32": "lr-0.025"}  # one batch size at a time; its linearly scaled lr
# Optional recipe keys the base lacks: a lever adds them (``tweak`` only changes keys that exist).
OPTIONAL = {"train.ema_restart": None, "train.bn_refresh": None}

STAGE_SEEDS = {"1": (1, 2, 3, 4), "2": (1, 2, 3, 4), "3": (5, 6, 7, 8), "4": tuple(range(9, 17))}
RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs; candidates are compared "
    "through the paired difference over the same seeds and its standard error. Stage 1: the base (round 2's pick) and "
    "each single lever, seeds 1-4. Stage 2, seeds 1-4: the levers whose paired gain over the base exceeds one "
    "standard error (of the two batch sizes the better only), all together, when there are two or more; and, when "
    "the best single lever is a smaller batch, that batch with the peak lr scaled linearly. Stage 3: every candidate "
    "of stages 1-2 not worse than the best by more than two paired standard errors (seeds 1-4) runs seeds 5-8. "
    "Stage 4: over seeds 1-8, the best of stage 3 and the candidate with the fewest levers within one paired "
    "standard error of it run seeds 9-16. Decision over seeds 1-16: the better of the two, unless the one with fewer "
    "levers is within one paired standard error of it; the pick's paired difference from the base is reported over "
    "the seeds both ran, and it beats round 2's pick only when that difference exceeds one standard error")


def name_of(levers) -> str:
    return "+".join(levers) or "base"


def recipe(levers=()) -> dict:
    """The base with ``levers`` applied in order (the empty tuple: the base itself)."""
    changed = tweak(BASE, {})
    for lever in levers:
        changes = LEVERS[lever][1]
        for path in changes:
            if path in OPTIONAL:
                group, key = path.split(".")
                changed[group].setdefault(key, OPTIONAL[path])
        changed = tweak(changed, changes)
    return changed


def _gain(candidate: dict, base: dict, seeds) -> dict:
    return paired(runs_on(candidate, seeds), runs_on(base, seeds))


def combinations(stage1: list[dict]) -> list[tuple[str, ...]]:
    """Stage 2's lever tuples from the finished stage 1 (``{"levers": [...], "runs": [...]}`` each; the base has none),
    by ``RULE``."""
    seeds = STAGE_SEEDS["1"]
    base = next(c for c in stage1 if not c["levers"])
    singles = [c for c in stage1 if c["levers"]]
    gains = {c["levers"][0]: _gain(c, base, seeds) for c in singles}
    helpful = [lever for lever in sorted(gains, key=lambda lever: -gains[lever]["mean"])
               if gains[lever]["mean"] > gains[lever]["se"]]
    batches = [lever for lever in helpful if lever in BATCH_LEVERS]
    helpful = [lever for lever in helpful if lever not in batches[1:]]  # the better batch size only
    plan = [tuple(helpful)] if len(helpful) >= 2 else []
    best = max(singles, key=lambda c: score(c["runs"], seeds)["mean"])["levers"][0]
    if best in BATCH_LEVERS:
        plan.append((best, BATCH_LEVERS[best]))
    return plan


def survivors(candidates: list[dict]) -> list[str]:
    """Stage 3's names: ``trials.survivors`` over seeds 1-4."""
    return stats_survivors(candidates, STAGE_SEEDS["1"])


def finalists(stage3: list[dict]) -> list[str]:
    """Stage 4's names: over seeds 1-8, the best of stage 3 and the simplest candidate tied with it (once each)."""
    best, simplest, _, _ = choose(stage3, STAGE_SEEDS["1"] + STAGE_SEEDS["3"])
    return list(dict.fromkeys([best["name"], simplest["name"]]))


def decide(stage4: list[dict], base: dict) -> dict:
    """The decision over seeds 1-16 (``RULE``): the pick, the reason, each finalist's score and paired difference from
    the best, and the pick's paired difference from the base over the seeds both ran."""
    seeds = STAGE_SEEDS["1"] + STAGE_SEEDS["3"] + STAGE_SEEDS["4"]
    _, chosen, comparisons, reason = choose(stage4, seeds, over=" over seeds 1-16")
    shared = sorted({run["seed"] for run in chosen["runs"]} & {run["seed"] for run in base["runs"]})
    vs_base = _gain(chosen, base, shared)
    itself = chosen["name"] == base["name"]
    beats = not itself and vs_base["mean"] > vs_base["se"]
    if itself:
        reason += "; the pick is round 2's pick itself: no detectable gain"
    else:
        reason += (f"; against round 2's pick {paired_text(vs_base)} over {vs_base['seeds']} "
                   f"seeds: {'better by more than one standard error' if beats else 'no detectable gain'}")
    return {"picked": chosen["name"], "reason": reason, "comparisons": comparisons, "vs_round2": vs_base,
            "beats_round2": beats}
