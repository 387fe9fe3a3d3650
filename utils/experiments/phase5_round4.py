"""Phase 5's search, round 4 (``make search``): at most 4,000 parameters spent another way, under phase 4's recipe.
Committed before any of its runs: the candidates, the stages and the rule (``PLAN``). Phase 4's recipe is the pick of
phase 4's round 4 (``phase4_round4.PICKED``): every candidate is that recipe with one change.

Why: the frontier's 3,948-parameter size scored 99.27 on validation digits; holding on 9 of 10 seeds needs about
+0.09. Within one design width buys that slowly, so these candidates change how the parameters are spent: depth
from one block used several times, cheaper spatial convolutions, and recipes for a small model that underfits.
"""

from ..goal import GOAL_PARAMS, HOLD_Z, TARGET_ACC
from ..phases import WRITTEN_BY, phase
from ..recipes import tweak
from ..records import as_recorded, load
from . import phase4_round4
from .driver import Candidate, Entries, Plan, Stage
from .loaders import study_of
from .trials import choose, own_levels, paired, paired_text, runs_on, score, survivors

BASE_MODEL = "8-d8-M-s30-s30-s30"  # 3,948: the frontier's largest size within the goal
PHASE4 = phase4_round4.PLAN.candidate(phase4_round4.PICKED).recipe  # phase 4's recipe as its round 4 picked it
BASE = tweak(PHASE4, {"model": BASE_MODEL})
MODELS = {  # name: (model, what it changes)
    "shared-38x3": ("8-d8-M-s38-s38x3", "one separable block of 38 channels used three times (3,770 parameters)"),
    "shared-36x4": ("8-d8-M-s36-s36x4", "one separable block of 36 channels used four times (3,684 parameters)"),
    "5x5-shared-38x2": ("8-d8-M-w38-s38x2", "a separable 5x5 block, then one 3x3 block used twice (3,746)"),
    "wide-start": ("12-d8-M-s36-s36x3", "12 channels in the first convolution, one block of 36 used three times "
                                        "(3,872)"),
    "factorised-start": ("8-f8-M-s40-s40x3", "the dilated convolution replaced by 3x1 then 1x3, one block of 40 "
                                             "used three times (3,832)"),
}
RECIPE_LEVERS = {  # name: (changes to the base recipe, what it changes); a lever phase 4's recipe already has is left out
    "milder-aug": ({"augment": {"degrees": 5.0, "translate": (0.05, 0.05), "scale": (0.95, 1.05), "brightness": 0.1,
                                "contrast": 0.1}}, "augmentation at half its ranges (the small model underfits)"),
    "batch-32": ({"train.batch_size": 32}, "batches of 32: twice the optimiser steps"),
}
CANDIDATES = (
    Candidate("base", "", BASE),
    *(Candidate(name, what, tweak(BASE, {"model": model}), (name,)) for name, (model, what) in MODELS.items()),
    *(Candidate(name, what, tweak(BASE, changes), (name,)) for name, (changes, what) in RECIPE_LEVERS.items()
      if as_recorded(tweak(BASE, changes)) != as_recorded(BASE)),
)
SEEDS = {"1": (1, 2, 3, 4), "2": (5, 6, 7, 8), "3": tuple(range(9, 17))}
FIRST8, ALL16 = SEEDS["1"] + SEEDS["2"], SEEDS["1"] + SEEDS["2"] + SEEDS["3"]
STUDY_SEEDS = tuple(range(1, 11))
FRONTIER = phase(5).rounds[2]  # the base's eager runs of seeds 1-8, where the frontier ran this very recipe

RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs; candidates are compared "
    f"through the paired difference over the same seeds and its standard error. Every candidate has at most "
    f"{GOAL_PARAMS:,} parameters and runs phase 4's recipe with one change; every run eager. The base "
    f"({BASE_MODEL}) is in every stage; its frontier runs (seeds 1-8) are reused where the frontier ran the same "
    "recipe eager on the same platform. Stage 1: every candidate, seeds 1-4. Stage 2: the candidates not worse than the best by more than two "
    "paired standard errors (seeds 1-4) run seeds 5-8. Stage 3: over seeds 1-8, the best of stage 2 and the "
    "candidate with the fewest changes within one paired standard error of it run seeds 9-16. Decision over seeds "
    "1-16, among stage 3's candidates and the base: the best, unless one with fewer changes is within one paired "
    "standard error of it. Each candidate's level: the mean at which its own seed spread holds on 9 of every 10 seeds, "
    f"{TARGET_ACC:.2f} + {HOLD_Z:.4f} x its standard deviation of the last-5 minimum on validation digits, moved onto "
    "validation digits by phase 4's offset between the splits (phase 4's recipe on validation digits, seeds 1-16 of "
    "its round 4, minus the mean of phase 4's test study). A stage-3 candidate whose mean plus the standard error of "
    "its paired difference from the base reaches its level gets the 10-seed test study (make study PHASE=5); if none "
    "does, there is no new look at the test set")


def _reuse(results) -> Entries:
    frontier = load(FRONTIER, results, required=False) or {}
    same = next((c for c in frontier.get("candidates", []) if c["recipe"] == as_recorded(BASE)), None)
    if same is None or frontier.get("compiled"):
        return {}
    return {"base": {"recipe": same["recipe"], "runs": same["runs"], "source": f"results/{FRONTIER}, {same['name']}"}}


def _stage1(entries: Entries) -> list[str]:
    return [c.name for c in CANDIDATES]


def _stage2(entries: Entries) -> list[str]:
    return list(dict.fromkeys(["base", *survivors([entries[name] for name in _stage1(entries)], SEEDS["1"])]))


def _stage3(entries: Entries) -> list[str]:
    best, simplest, _, _ = choose([entries[name] for name in _stage2(entries)], FIRST8)
    return list(dict.fromkeys(["base", best["name"], simplest["name"]]))


def phase4_offset(results) -> float:
    """Phase 4's recipe on validation digits (seeds 1-16 of its round 4) minus its test study's mean."""
    trials4 = load(phase4_round4.PLAN.file, results)
    entry = next(c for c in trials4["candidates"] if c["recipe"] == as_recorded(PHASE4))
    study = study_of(4, PHASE4, results)["recipes"][0]["runs"]  # the pick's study, wherever it is kept
    return score(entry["runs"], ALL16)["mean"] - score(study, [run["seed"] for run in study])["mean"]


def decide(entries: Entries, results) -> dict:
    """The decision over seeds 1-16 (``RULE``), each candidate's own level, and the test study it calls for."""
    finalists = [entries[name] for name in _stage3(entries)]
    _, chosen, comparisons, reason = choose(finalists, ALL16, over=" over seeds 1-16")
    offset = phase4_offset(results)
    levels = own_levels(entries, "base", offset)
    vs_base = paired(runs_on(chosen, ALL16), runs_on(entries["base"], ALL16))
    if chosen["name"] != "base":
        reason += f"; against the base {paired_text(vs_base)} over {vs_base['seeds']} seeds"
    study = [c["name"] for c in finalists if levels[c["name"]]["expected_to_hold"]]
    reason += ("; " + (f"expected to hold: {', '.join(study)}, studied on the test set" if study else
                       "none is expected to hold: no new look at the test set"))
    return {"picked": chosen["name"], "reason": reason, "comparisons": comparisons, "vs_base": vs_base,
            "levels": {"offset": offset, "candidates": levels}, "study": study,
            "study_seeds": list(STUDY_SEEDS) if study else []}


PLAN = Plan(command=WRITTEN_BY[phase(5).rounds[3]], file=phase(5).rounds[3], rule=RULE, candidates=CANDIDATES,
            stages=(Stage(SEEDS["1"], _stage1), Stage(SEEDS["2"], _stage2), Stage(SEEDS["3"], _stage3)),
            decide=decide, compile=False, reuse=_reuse)
