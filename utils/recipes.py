"""Every recipe of the series as plain data, in one place (as airbench keeps its one ``hyp`` dict).

A recipe is what defines a run apart from where it runs, nested by concern: the model, the training loop, the
optimiser, the learning-rate schedule and the augmentation, every value written out (no defaults to look up
elsewhere). Each phase's recipe is one whole literal, read top to bottom; what a phase changes against the one before
is generated from the literals (``utils.report.recipes.recipe_changes``, in every notebook and the README) and a test
pins it. The trials' candidates are a recipe plus a few changes (``tweak``), because one change is what each measures.
"""

import copy

PHASE1 = {
    "model": 1,                     # utils.build_model(1): the baseline conv net, 7,896 parameters
    "train": {
        "epochs": 15,               # passes over the training digits (the mission allows at most 15)
        "batch_size": 128,          # digits per optimiser step
        "label_smoothing": 0.0,     # weight of the uniform target mixed into the cross-entropy's (0: none)
        "ema": None,                # decay per step of a weight average that is evaluated instead (None: no average)
    },
    "optimizer": {                  # torch.optim.SGD
        "lr": 0.01,                 # learning rate (the peak, where a schedule lowers it)
        "momentum": 0.9,
        "nesterov": False,          # Nesterov momentum: the gradient taken at the look-ahead point
        "weight_decay": 0.0,        # L2 penalty on every weight
    },
    "schedule": {"name": "none"},   # a constant learning rate
    "augment": None,                # None: the digits as stored (ToTensor + Normalize only)
}

PHASE2 = {
    "model": 2,                     # + BatchNorm after every 3x3 conv, 7,974 parameters
    "train": {"epochs": 15, "batch_size": 128, "label_smoothing": 0.0, "ema": None},
    "optimizer": {"lr": 0.01, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "none"},
    "augment": None,
}

PHASE3 = {
    "model": 3,                     # + global average pooling instead of the last 7x7 conv, 7,753 parameters
    "train": {"epochs": 15, "batch_size": 128, "label_smoothing": 0.0, "ema": None},
    "optimizer": {"lr": 0.05, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "none"},
    "augment": {                    # per sample: RandomAffine + ColorJitter (utils.core.data.AugmentSpec's fields)
        "degrees": 7.0,             # rotation drawn from U(-7, 7) degrees
        "translate": (0.1, 0.1),    # shift up to 10% of the width / height, rounded to whole pixels
        "scale": (0.9, 1.1),        # zoom drawn from U(0.9, 1.1)
        "brightness": 0.2,          # brightness factor drawn from U(0.8, 1.2)
        "contrast": 0.2,            # contrast factor drawn from U(0.8, 1.2)
    },
}

PHASE4 = {
    "model": 3,                     # phase 3's model, unchanged
    "train": {"epochs": 15, "batch_size": 128, "label_smoothing": 0.0,
              "ema": 0.999},        # the model evaluated, reported and saved: an EMA of weights and BatchNorm buffers
    "optimizer": {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "multistep", "milestones": (8, 12), "gamma": 0.1},  # lr / 10 after epochs 8 and 12
    "augment": {"degrees": 7.0, "translate": (0.1, 0.1), "scale": (0.9, 1.1), "brightness": 0.2, "contrast": 0.2},
}

# PHASE5, phase 5's recipe, is defined below, after the search that picked it: search2_recipe(*PHASE5_PICK).


def tweak(recipe: dict, changes: dict) -> dict:
    """A copy of ``recipe`` with each change applied; a change's key is a path of keys joined by dots.

    >>> tweak(PHASE3, {"optimizer.lr": 0.1})["optimizer"]["lr"]
    0.1
    """
    changed = copy.deepcopy(recipe)
    for path, value in changes.items():
        *groups, key = path.split(".")
        node = changed
        for group in groups:
            node = node[group]
        if key not in node:
            raise KeyError(f"{path!r} is not a key of the recipe")
        node[key] = copy.deepcopy(value)
    return changed


# Phase 4's trials, round 1 (``make trials --round 1``): cumulative candidates, each one change more than the one
# before (this order is a choice). A is the series' reconstruction of the original write-up's phase 4 (phase 3's recipe
# + StepLR(6, 0.1); the write-up names no scheduler). F is the recipe an earlier revision of the series tuned on test
# accuracy with seed 1; the milestones (8, 12) come from it.
AUGMENT_MILD = {"degrees": 5.0, "translate": (0.05, 0.05), "scale": (0.95, 1.05), "brightness": 0.1, "contrast": 0.1}
PHASE4_CANDIDATES = {}
PHASE4_CANDIDATES["A"] = tweak(PHASE3, {"schedule": {"name": "step", "step_size": 6, "gamma": 0.1}})
PHASE4_CANDIDATES["B"] = tweak(PHASE3, {"schedule": {"name": "multistep", "milestones": (8, 12), "gamma": 0.1}})
PHASE4_CANDIDATES["C"] = tweak(PHASE4_CANDIDATES["B"], {"optimizer.lr": 0.1})
PHASE4_CANDIDATES["D"] = tweak(PHASE4_CANDIDATES["C"], {"optimizer.nesterov": True})
PHASE4_CANDIDATES["E"] = tweak(PHASE4_CANDIDATES["D"], {"optimizer.weight_decay": 1e-4})
PHASE4_CANDIDATES["F"] = tweak(PHASE4_CANDIDATES["E"], {"augment": AUGMENT_MILD})
CANDIDATE_LEVERS = {
    "A": "phase 3's recipe + StepLR(6, 0.1)",
    "B": "MultiStepLR([8, 12], 0.1) instead of StepLR, lr 0.05",
    "C": "peak lr 0.1",
    "D": "+ Nesterov momentum",
    "E": "+ weight decay 1e-4",
    "F": "+ milder augmentation",
}
# Round 1's pick (utils.experiments.trials.pick over results/phase4_trials.json): round 2's base, and the recipe of
# phase 5's first search.
PHASE4_CHOICE = "C"

# The original write-up's phase 4, as this series reconstructs it: the comparison recipe of notebook 4's seed study.
WRITE_UP_PHASE4 = PHASE4_CANDIDATES["A"]

# Phase 5, beyond the original write-up: how small a model still holds 99.40%. Round 1's phase 4 recipe on smaller
# GAP nets (``utils.core.models.build_spec`` strings), largest first; the search (``make search``) picks one on the
# validation split by ``utils.experiments.trials.PHASE5_RULE``. The first two are the issue's own starting points.
PHASE5_SPECS = (
    "6-8-8-M-10-12-14",         # phase 4's layout narrowed, 4,630 parameters (held on one test seed before)
    "6-6-8-M-10-12-12",         # narrower still, 4,134
    "8-8-M-s24-s24-s24-s24",    # pool after two convs, four depthwise-separable blocks of 24, 3,912
    "8-8-8-M-s24-s24-s24",      # phase 4's layout, separable blocks of 24 after the pool, 3,616
    "8-8-M-10-10-12",           # pool after two convs, three plain convs, 3,564
    "8-8-8-M-s16-s16-s16",      # separable blocks of 16, 2,608
    "8-8-M-s16-s16-s16-s16",    # pool after two convs, four separable blocks of 16, 2,480
)
PHASE5_CANDIDATES = {spec: tweak(PHASE4_CANDIDATES[PHASE4_CHOICE], {"model": spec}) for spec in PHASE5_SPECS}
# Round 1's pick (tests check it against results/phase5_search.json); its seed study is results/phase5_seeds.json.
SEARCH1_PICK = "8-8-M-s24-s24-s24-s24"

# Phase 4's trials, round 2 (``make trials``): levers aimed at the end-of-run stability the target judges, each free
# in parameters, each one change to the base (round 1's pick, C). The combinations round 2's rule calls for
# (``utils.experiments.trials.stage2_candidates``) apply several levers' changes in turn. Committed before the runs
# they judge.
EMA_DECAY = 0.999  # per optimiser step: the average's time constant is 1,000 steps, about 2.5 epochs of 50,000 digits
ROUND2_BASE = PHASE4_CANDIDATES["C"]
ROUND2_LEVERS = {  # name: (what it does, its changes to the recipe)
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


# Phase 4's recipe is round 2's pick (utils.experiments.trials.pick_powered over results/phase4_trials_round2.json;
# tests check PHASE4 against these levers, and these levers against the record).
ROUND2_CHOICE = ("ema",)


def round2_recipe(levers: tuple[str, ...]) -> dict:
    """Round 2's base with ``levers`` applied in order (the empty tuple is the base itself)."""
    recipe = ROUND2_BASE
    for lever in levers:
        recipe = tweak(recipe, ROUND2_LEVERS[lever][1])
    return recipe


# Phase 5's search, round 2 (``make search``): at most 4,000 parameters, with the powered rule of phase 4's trials
# (``utils.experiments.trials.SEARCH2_RULE``). Stage 1: these architectures under phase 4's recipe as it stands when
# the search runs (``tweak(PHASE4, {"model": spec})``). Committed before the runs they judge.
SEARCH2_SPECS = (
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
SEARCH2_CONTRASTS = (
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
SEARCH2_LEVERS = {
    "lr-0.05": ("peak lr 0.05 instead of 0.1", {"optimizer.lr": 0.05}),
    "lr-0.2": ("peak lr 0.2 instead of 0.1", {"optimizer.lr": 0.2}),
    "mild-augment": ("milder augmentation: 5 degrees, half the shift, zoom and jitter", {"augment": AUGMENT_MILD}),
    "batch-64": ("batches of 64 digits: twice the steps", {"train.batch_size": 64}),
    "ema": (f"an EMA of the weights and BatchNorm buffers (decay {EMA_DECAY})", {"train.ema": EMA_DECAY}),
    "smooth": ("label smoothing 0.1", {"train.label_smoothing": 0.1}),
}


def search2_recipe(spec: str, levers: tuple[str, ...] = ()) -> dict:
    """Phase 4's recipe on the model ``spec``, with ``levers`` (``SEARCH2_LEVERS``) applied in order."""
    recipe = tweak(PHASE4, {"model": spec})
    for lever in levers:
        recipe = tweak(recipe, SEARCH2_LEVERS[lever][1])
    return recipe


# Phase 5's recipe: round 2's pick, (architecture, levers) (``utils.experiments.trials.pick_search2`` over
# results/phase5_search_round2.json; tests check PHASE5_PICK against the record).
PHASE5_PICK = ("8-8-8-M-s24-s24-s24", ("batch-64",))
PHASE5 = search2_recipe(*PHASE5_PICK)
