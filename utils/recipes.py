"""Every recipe in use, each one whole nested literal (as airbench keeps its one ``hyp`` dict): nothing derived.

A recipe is what defines a run apart from where it runs, nested by concern: the model, the training loop, the
optimiser, the learning-rate schedule and the augmentation, every value written out (no defaults to look up
elsewhere). What a phase changes against the one before is generated from the literals
(``utils.report.recipes.recipe_changes``, in every notebook and the README) and a test pins it; tests tie each literal
to the record of the trials or search that chose it (tests/test_recorded.py). The candidates of each round live in
its plan (``utils.experiments``) and its record (``results/``).
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

# Chosen by phase 4's trials, round 3 (results/phase4_trials_round3.json): the recipe phase 5's frontier ran its sizes
# under, and the base of phase 4's round 4.
PHASE4_ROUND3 = {
    "model": 3,                     # phase 3's model, unchanged
    "train": {"epochs": 15,
              "batch_size": 64,     # twice the optimiser steps of batches of 128 in the same 15 epochs
              "label_smoothing": 0.0,
              "ema": 0.999},        # the model evaluated, reported and saved: an EMA of weights and BatchNorm buffers
    "optimizer": {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "multistep", "milestones": (8, 12), "gamma": 0.1},  # lr / 10 after epochs 8 and 12
    "augment": {"degrees": 7.0, "translate": (0.1, 0.1), "scale": (0.9, 1.1), "brightness": 0.2, "contrast": 0.2},
}
PHASE4 = PHASE4_ROUND3  # today's phase 4 recipe

PHASE5 = {  # round 3's phase 4 recipe on the frontier's pick (results/phase5_frontier.json), 6,664 parameters
    "model": "8-d8-M-s44-s44-s44",  # utils.core.models.build_spec: see frontier.SPECS
    "train": {"epochs": 15, "batch_size": 64, "label_smoothing": 0.0, "ema": 0.999},  # phase 4's
    "optimizer": {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "multistep", "milestones": (8, 12), "gamma": 0.1},
    "augment": {"degrees": 7.0, "translate": (0.1, 0.1), "scale": (0.9, 1.1), "brightness": 0.2, "contrast": 0.2},
}

PHASE5_WITHIN_GOAL = {  # the frontier's largest size within phase 5's goal, 3,948 parameters, under the same recipe
    "model": "8-d8-M-s30-s30-s30",  # utils.core.models.build_spec: see frontier.SPECS
    "train": {"epochs": 15, "batch_size": 64, "label_smoothing": 0.0, "ema": 0.999},  # phase 4's
    "optimizer": {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "multistep", "milestones": (8, 12), "gamma": 0.1},
    "augment": {"degrees": 7.0, "translate": (0.1, 0.1), "scale": (0.9, 1.1), "brightness": 0.2, "contrast": 0.2},
}

# The original write-up's phase 4 as this series reconstructs it (phase 3's recipe + StepLR(6, 0.1); the write-up
# names no scheduler): candidate A of phase 4's trials, round 1, and the comparison recipe of notebook 4's seed study.
WRITE_UP_PHASE4 = {
    "model": 3,
    "train": {"epochs": 15, "batch_size": 128, "label_smoothing": 0.0, "ema": None},
    "optimizer": {"lr": 0.05, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "schedule": {"name": "step", "step_size": 6, "gamma": 0.1},  # lr / 10 every 6 epochs
    "augment": {"degrees": 7.0, "translate": (0.1, 0.1), "scale": (0.9, 1.1), "brightness": 0.2, "contrast": 0.2},
}


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
