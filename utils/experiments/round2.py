"""Phase 4's trials, round 2 (``python -m utils.commands.trials --round 2``): levers aimed at the end-of-run stability
the target judges, each free in parameters, each one change to the base (round 1's pick, C), and the two-stage rule
that judged them, all committed before the runs. ``utils.experiments.runner.round2`` ran them; tests tie them to
``results/phase4_trials_round2.json``, whose pick is phase 4's recipe (``utils.recipes.PHASE4``).
"""

from ..recipes import tweak
from . import round1
from .trials import choose, paired, runs_on, score

BASE = round1.CANDIDATES[round1.PICKED]
EMA_DECAY = 0.999  # per optimiser step: the average's time constant is 1,000 steps, about 2.5 epochs of 50,000 digits
LEVERS = {  # name: (what it does, its changes to the recipe)
    "drops-5-10": ("lr / 10 after epochs 5 and 10 instead of 8 and 12: every judged epoch (11-15) at the final lr",
                   {"schedule.milestones": (5, 10)}),
    "cosine": ("lr annealed from 0.1 to 0 along a cosine, stepped per batch, instead of MultiStepLR",
               {"schedule": {"name": "cosine"}}),
    "ema": (f"an EMA of the weights and BatchNorm buffers (decay {EMA_DECAY} per step) is the model evaluated",
            {"train.ema": EMA_DECAY}),
    "smooth": ("label smoothing 0.1 in the training loss", {"train.label_smoothing": 0.1}),
    "nesterov": ("Nesterov momentum", {"optimizer.nesterov": True}),
    "wd": ("weight decay 1e-4", {"optimizer.weight_decay": 1e-4}),
}
SCHEDULE_LEVERS = ("drops-5-10", "cosine")  # both replace the schedule: a combination takes at most one of them


def recipe(levers: tuple[str, ...]) -> dict:
    """The base with ``levers`` applied in order (the empty tuple is the base itself)."""
    changed = BASE
    for lever in levers:
        changed = tweak(changed, LEVERS[lever][1])
    return changed


STAGE1_SEEDS = (1, 2, 3, 4)
STAGE2_SEEDS = (5, 6, 7, 8)
RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs. Stage 1: the base (round "
    "1's pick, C) and each single lever on seeds 1-4. Stage 2: the base, the three best single levers of stage 1, and "
    "the combinations stage 1 calls for, on seeds 5-8 (combinations on seeds 1-8): the levers that beat the base in "
    "stage 1 (a positive mean paired difference; of the two schedule levers, only the better), the best two together "
    "and, when there are three or more, all of them together. Decision, over seeds 1-8 among the stage-2 "
    "candidates: the best score; a candidate whose mean paired difference from the best, seed by seed, is within one "
    "standard error of that difference ties with it; of tied candidates the one with the fewest levers is picked "
    "(then the better score)")


def stage2_candidates(stage1: list[dict]) -> list[tuple[str, ...]]:
    """The lever tuples stage 2 runs, from the finished stage 1 (``{"levers": (...), "runs": [...]}`` each, the base
    with no levers): the base, the three best single levers, and the combinations the rule calls for."""
    seeds = STAGE1_SEEDS
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


def pick(finalists: list[dict]) -> tuple[str, str, dict]:
    """Round 2's decision over seeds 1-8 among the stage-2 candidates (``RULE``): returns ``(name, reason,
    comparisons)`` (``trials.choose``)."""
    _, chosen, comparisons, reason = choose(finalists, STAGE1_SEEDS + STAGE2_SEEDS)
    return chosen["name"], reason, comparisons
