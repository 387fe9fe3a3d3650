"""Every recipe of the series as plain data, in one place (as airbench keeps its one ``hyp`` dict).

A recipe is what defines a run apart from where it runs: the model, the epochs, the optimiser, the schedule and the
augmentation, every value resolved (no "defaults" to look up elsewhere). Each phase's recipe is built from the one
before it, so "phase 3's recipe plus a scheduler" is that by construction, and the phase-4 trials
(``utils.experiments.trials``) are built from the same dicts.
"""

# The augmentation of phase 3: RandomAffine + ColorJitter, drawn per sample (``utils.core.data.AugmentSpec``'s fields).
AUGMENT_PHASE3 = {
    "degrees": 7.0,             # rotation drawn from U(-7, 7) degrees
    "translate": (0.1, 0.1),    # shift up to 10% of the width / height, rounded to whole pixels
    "scale": (0.9, 1.1),        # zoom drawn from U(0.9, 1.1)
    "brightness": 0.2,          # brightness factor drawn from U(0.8, 1.2)
    "contrast": 0.2,            # contrast factor drawn from U(0.8, 1.2)
}
# A milder version: half the shift, half the zoom and jitter range, 5 degrees.
AUGMENT_MILD = {"degrees": 5.0, "translate": (0.05, 0.05), "scale": (0.95, 1.05), "brightness": 0.1, "contrast": 0.1}

# Schedules: the scheduler's name and its own keys, nothing else.
NO_SCHEDULE = {"scheduler": "none"}                                     # a constant learning rate
STEP_6 = {"scheduler": "step", "step_size": 6, "gamma": 0.1}            # lr / 10 after epochs 6 and 12
MULTISTEP_8_12 = {"scheduler": "multistep", "milestones": (8, 12), "gamma": 0.1}  # lr / 10 after epochs 8 and 12
SCHEDULE_KEYS = ("scheduler", "step_size", "milestones", "gamma", "pct_start", "div_factor", "final_div_factor")

PHASE1 = {
    "model": 1,                 # utils.build_model(1): the baseline conv net, 7,896 parameters
    "epochs": 15,               # the mission allows at most 15
    "batch_size": 128,
    "lr": 0.01,                 # SGD's (peak) learning rate
    "momentum": 0.9,            # SGD momentum
    "nesterov": False,          # Nesterov momentum: the gradient taken at the look-ahead point
    "weight_decay": 0.0,        # L2 penalty on every weight
    **NO_SCHEDULE,
    "augment": None,            # None: ToTensor + Normalize only
}


def with_schedule(recipe: dict, schedule: dict) -> dict:
    """``recipe`` with its schedule replaced by ``schedule`` (the old schedule's own keys dropped)."""
    kept = {key: value for key, value in recipe.items() if key not in SCHEDULE_KEYS}
    return {**kept, **schedule}


PHASE2 = {**PHASE1, "model": 2}                                   # + BatchNorm after every 3x3 conv
PHASE3 = {**PHASE2, "model": 3, "lr": 0.05, "augment": AUGMENT_PHASE3}  # + GAP, augmentation, lr 0.05

# The candidates for phase 4, cumulative, each one lever more than the one before (this order is a choice):
# A is the series' reconstruction of the seed write-up's phase 4 (phase 3's recipe + StepLR(6, 0.1); the write-up
# names no scheduler), F is the recipe the series used before these trials were run (chosen then on the test set, seed 1).
PHASE4_CANDIDATES = {}
PHASE4_CANDIDATES["A"] = with_schedule(PHASE3, STEP_6)
PHASE4_CANDIDATES["B"] = with_schedule(PHASE3, MULTISTEP_8_12)
PHASE4_CANDIDATES["C"] = {**PHASE4_CANDIDATES["B"], "lr": 0.1}
PHASE4_CANDIDATES["D"] = {**PHASE4_CANDIDATES["C"], "nesterov": True}
PHASE4_CANDIDATES["E"] = {**PHASE4_CANDIDATES["D"], "weight_decay": 1e-4}
PHASE4_CANDIDATES["F"] = {**PHASE4_CANDIDATES["E"], "augment": AUGMENT_MILD}
CANDIDATE_LEVERS = {
    "A": "phase 3's recipe + StepLR(6, 0.1)",
    "B": "MultiStepLR([8, 12], 0.1) instead of StepLR, lr 0.05",
    "C": "peak lr 0.1",
    "D": "+ Nesterov momentum",
    "E": "+ weight decay 1e-4",
    "F": "+ milder augmentation",
}

# The seed write-up's phase 4, as this series reconstructs it: the comparison recipe of notebook 4's seed study.
SEED_WRITE_UP_PHASE4 = PHASE4_CANDIDATES["A"]
# Phase 4's recipe: the candidate the trials' decision rule picks (utils.experiments.trials.pick; tests/test_recorded.py checks
# that this is the one results/phase4_trials.json picks).
PHASE4_CHOICE = "C"
PHASE4 = PHASE4_CANDIDATES[PHASE4_CHOICE]

# Phase 5, beyond the seed's write-up: how small a model still holds 99.40%. Phase 4's recipe unchanged on smaller
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
PHASE5_CANDIDATES = {spec: {**PHASE4, "model": spec} for spec in PHASE5_SPECS}
# Phase 5's model: the candidate the search's rule picks (tests/test_recorded.py checks it against
# results/phase5_search.json).
PHASE5_MODEL = "8-8-M-s24-s24-s24-s24"
PHASE5 = PHASE5_CANDIDATES[PHASE5_MODEL]

# Phase 4's trials, round 2: levers aimed at the end-of-run stability the target judges, each free in parameters,
# each one change to the base (round 1's pick, C). A lever is a function recipe -> recipe, so that the combinations
# round 2's rule calls for (``utils.experiments.trials.stage2_candidates``) are those functions composed. Committed
# before the runs they judge.
EMA_DECAY = 0.999  # per optimiser step: the average's time constant is 1,000 steps, about 2.5 epochs of 50,000 digits
ROUND2_BASE = PHASE4_CANDIDATES["C"]
ROUND2_LEVERS = {
    "drops-5-10": ("lr / 10 after epochs 5 and 10 instead of 8 and 12: every judged epoch (11-15) at the final lr",
                   lambda r: {**r, "milestones": (5, 10)}),
    "cosine": ("lr annealed from 0.1 to 0 along a cosine, stepped per batch, instead of MultiStepLR",
               lambda r: with_schedule(r, {"scheduler": "cosine"})),
    "ema": (f"an EMA of the weights and BatchNorm buffers (decay {EMA_DECAY} per step) is the model evaluated",
            lambda r: {**r, "ema": EMA_DECAY}),
    "smooth": ("label smoothing 0.1 in the training loss", lambda r: {**r, "label_smoothing": 0.1}),
    "nesterov": ("Nesterov momentum", lambda r: {**r, "nesterov": True}),
    "wd": ("weight decay 1e-4", lambda r: {**r, "weight_decay": 1e-4}),
}
SCHEDULE_LEVERS = ("drops-5-10", "cosine")  # both replace the schedule: a combination takes at most one of them


def round2_recipe(levers: tuple[str, ...]) -> dict:
    """Round 2's base with ``levers`` applied in order (the empty tuple is the base itself)."""
    recipe = ROUND2_BASE
    for lever in levers:
        recipe = ROUND2_LEVERS[lever][1](recipe)
    return recipe
