"""Phase 5's search, round 2 (``make search``): at most 4,000 parameters, judged with the paired statistics of phase 4's
trials, round 2. Stage 1: the architectures under the base recipe; stage 2: recipe levers on the frontier one; stage
3: the finalists on more seeds. Committed before its runs; ``utils.experiments.runner.search2`` ran it and tests tie
it to ``results/phase5_search_round2.json``, whose pick is phase 5's recipe (``utils.recipes.PHASE5``).
"""

from ..recipes import tweak
from . import round1, round2
from .trials import paired, runs_on, score

# The base every architecture runs under: phase 4's recipe as it stood when the search ran, round 2's pick.
BASE = round2.recipe(("ema",))
SPECS = (
    "8-8-M-s24-s24-s24-s24",    # round 1's pick, 3,912
    "8-M-s16-s24-s24-s24-s24",  # the first max-pool after one conv, 3,848
    "6-8-M-s24-s24-s24-s24",    # a narrower first conv, 3,746
    "8-d8-M-s28-s28-s28",       # a dilated second conv (a 5x5 view for a 3x3's weights), three blocks of 28, 3,624
    "8-8-M-s28-s28-s28",        # wider and shallower separable blocks, 3,624
    "8-8-8-M-s24-s24-s24",      # the pool after three convs, as in phase 4's model, 3,616
    "8-12-t8-M-s24-s24-s24",    # a 1x1 transition from 12 to 8 channels before the pool, 3,432
    "8-8-M-s20-s20-s20-s20",    # narrower blocks, 3,148 (toward the 3,000 stretch)
    "8-d8-M-s24-s24-s24",       # dilated, blocks of 24, 3,024
)
# What each building block buys, read off stage 1 (the same recipe and seeds): pairs of architectures that differ in
# one design choice, as (the change, with it, without it). A view of the record, chosen after the runs, not the rule.
CONTRASTS = (
    ("the first max-pool after one conv, not two (the saved conv pays for a fifth separable block, of 16)",
     "8-M-s16-s24-s24-s24-s24", "8-8-M-s24-s24-s24-s24"),
    ("the first max-pool after three convs, not two (one separable block fewer)",
     "8-8-8-M-s24-s24-s24", "8-8-M-s24-s24-s24-s24"),
    ("a wider second conv and a 1x1 transition back to 8 channels, not a third 3x3 conv",
     "8-12-t8-M-s24-s24-s24", "8-8-8-M-s24-s24-s24"),
    ("dilation 2 in the second conv: a 5x5 view for a 3x3's weights", "8-d8-M-s28-s28-s28", "8-8-M-s28-s28-s28"),
    ("three separable blocks of 28, not four of 24", "8-8-M-s28-s28-s28", "8-8-M-s24-s24-s24-s24"),
    ("separable blocks of 20, not 24", "8-8-M-s20-s20-s20-s20", "8-8-M-s24-s24-s24-s24"),
    ("a first conv of 6 channels, not 8", "6-8-M-s24-s24-s24-s24", "8-8-M-s24-s24-s24-s24"),
)
# Stage 2: recipe levers for a small model, each one change to phase 4's recipe, applied to the architecture the rule
# names (the smallest within one standard error of stage 1's best). A lever phase 4's recipe already has changes
# nothing and is skipped.
LEVERS = {
    "lr-0.05": ("peak lr 0.05 instead of 0.1", {"optimizer.lr": 0.05}),
    "lr-0.2": ("peak lr 0.2 instead of 0.1", {"optimizer.lr": 0.2}),
    "mild-augment": ("milder augmentation: 5 degrees, half the shift, zoom and jitter",
                     {"augment": round1.AUGMENT_MILD}),
    "batch-64": ("batches of 64 digits: twice the steps", {"train.batch_size": 64}),
    "ema": (f"an EMA of the weights and BatchNorm buffers (decay {round2.EMA_DECAY})", {"train.ema": round2.EMA_DECAY}),
    "smooth": ("label smoothing 0.1", {"train.label_smoothing": 0.1}),
}


def recipe(spec: str, levers: tuple[str, ...] = ()) -> dict:
    """The base on the model ``spec``, with ``levers`` (``LEVERS``) applied in order."""
    changed = tweak(BASE, {"model": spec})
    for lever in levers:
        changed = tweak(changed, LEVERS[lever][1])
    return changed


# Phase 4's round-2 seeds: each run pairs with phase 4's own run of the same seed, its reference.
STAGE1_SEEDS, FINAL_SEEDS = round2.STAGE1_SEEDS, round2.STAGE2_SEEDS
RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs; compared through the "
    "paired difference over the same seeds and its standard error, within one standard error being a tie. Stage 1: "
    "every architecture (at most 4,000 parameters) under phase 4's recipe, seeds 1-4. Stage 2: each recipe lever on "
    "the frontier architecture (the fewest parameters among those tied with stage 1's best), seeds 1-4. Stage 3: the "
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
    candidates tied with the best over seeds 1-4 (``RULE``)."""
    _, tied = _tied_with_best(stage1, STAGE1_SEEDS)
    return min(tied, key=lambda c: (c["params"], -score(c["runs"], STAGE1_SEEDS)["mean"]))


def finalists(stage1: list[dict], stage2: list[dict]) -> list[str]:
    """The names that run seeds 5-8: the best of stages 1-2, the fewest-parameter candidate tied with it, and the best
    lever candidate of stage 2 (each once, in that order)."""
    seeds = STAGE1_SEEDS
    best, tied = _tied_with_best(stage1 + stage2, seeds)
    smallest = min(tied, key=lambda c: (c["params"], -score(c["runs"], seeds)["mean"]))
    names = [best["name"], smallest["name"]]
    if stage2:
        names.append(max(stage2, key=lambda c: score(c["runs"], seeds)["mean"])["name"])
    return list(dict.fromkeys(names))


def pick(finalists: list[dict], reference: dict) -> tuple[str, str]:
    """The decision over seeds 1-8 (``RULE``): the fewest parameters among the finalists tied with the best;
    ``reference`` is phase 4's recipe and model on the same split and seeds. Returns ``(name, reason)``."""
    seeds = STAGE1_SEEDS + FINAL_SEEDS
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
