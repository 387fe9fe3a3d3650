"""One run: a recipe (``utils.recipes``) plus where and how it runs, and the pieces built from it: loaders, optimiser,
scheduler.

A run's config is the recipe's groups (``model``, ``train``, ``optimizer``, ``schedule``, ``augment``) with the run's
own keys (``RUN_KEYS``) beside them.
"""

import copy
import math

import torch
from torch import nn

from .data import SPLITS, AugmentSpec, torchvision_loader
from .fast import resident_loader
from .models import build_model
from .runtime import seed_everything
from .loop import History, averaged, fit, make_ema, on_device

PIPELINES = ("fast", "torchvision")  # the resident fast path, or torchvision's DataLoader
SCHEDULERS = ("none", "step", "multistep", "cosine", "onecycle")
OPTIMIZERS = ("sgd", "adamw")
EVAL_BATCH_SIZE = 2000  # evaluation needs no autograd, so large batches are cheap and fast
RUN_KEYS = ("seed", "split", "pipeline", "limit_train", "limit_test", "data_dir", "device", "compile")  # not the recipe


def run_config(recipe: dict, *, seed: int, split: str = "test", pipeline: str = "fast", limit_train=None,
               limit_test=None, data_dir=None, device="auto", epochs: int | None = None, compile: bool = False) -> dict:
    """``recipe`` plus where and how it runs. ``split``: "test" trains on all 60,000 training digits and evaluates on
    the test set; "validation" trains on the first 50,000 and evaluates on the last 10,000. ``epochs`` (when given)
    overrides the recipe's, for smoke runs. ``compile``: the training step runs through ``torch.compile`` (the same
    computation, about 1.3x faster on a CPU after a compile of about 30 s; not bit-identical to the eager run)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    config = copy.deepcopy(recipe)
    if epochs is not None:
        config["train"]["epochs"] = epochs
    return {**config, "seed": seed, "split": split, "pipeline": pipeline, "limit_train": limit_train,
            "limit_test": limit_test, "data_dir": data_dir, "device": device, "compile": compile}


def make_loaders(config: dict, device) -> tuple:
    """``(train_batches, eval_batches)`` for ``config``: the resident fast path, or torchvision's DataLoader.

    The evaluation batches are the test set, or the validation digits when ``config["split"]`` is "validation".
    """
    augment = AugmentSpec(**config["augment"]) if config["augment"] is not None else None
    batch_size = config["train"]["batch_size"]
    train_part, eval_part = SPLITS[config["split"]]
    common = dict(data_dir=config["data_dir"], seed=config["seed"])
    if config["pipeline"] == "fast":
        train = resident_loader(True, batch_size, device, limit=config["limit_train"], augment=augment,
                                part=train_part, **common)
        test = resident_loader(False, EVAL_BATCH_SIZE, device, limit=config["limit_test"], part=eval_part, **common)
        return train, test
    if config["pipeline"] != "torchvision":
        raise ValueError(f"pipeline must be one of {PIPELINES}, got {config['pipeline']!r}")
    train = torchvision_loader(True, batch_size, limit=config["limit_train"], augment=augment,
                               part=train_part, **common)
    test = torchvision_loader(False, EVAL_BATCH_SIZE, limit=config["limit_test"], part=eval_part, **common)
    return on_device(train, device), on_device(test, device)


def make_optimizer(model: nn.Module, config: dict, steps_per_epoch: int):
    """The optimiser ``config["optimizer"]`` names (SGD unless its ``name`` says "adamw") and the scheduler
    ``config["schedule"]`` names.

    Returns ``(optimizer, scheduler or None, step_scheduler_per_batch)``.
    """
    opt, schedule, epochs = config["optimizer"], config["schedule"], config["train"]["epochs"]
    kind = opt.get("name", "sgd")
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=opt["lr"], momentum=opt["momentum"],
                                    nesterov=opt["nesterov"], weight_decay=opt["weight_decay"])
    elif kind == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=opt["lr"], betas=tuple(opt["betas"]),
                                      weight_decay=opt["weight_decay"])
    else:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {kind!r}")
    kind = schedule["name"]
    if kind == "none":
        return optimizer, None, False
    if kind == "step":
        return optimizer, torch.optim.lr_scheduler.StepLR(optimizer, schedule["step_size"], schedule["gamma"]), False
    if kind == "multistep":
        scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, schedule["milestones"], schedule["gamma"])
        return optimizer, scheduler, False
    if kind == "cosine":  # from the peak lr down to zero along half a cosine, one step per batch, no warm-up
        total = epochs * steps_per_epoch
        return optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total, eta_min=0.0), True
    if kind == "onecycle":
        factor = onecycle_factor(schedule, opt["lr"], steps_per_epoch)
        return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor), True
    raise ValueError(f"scheduler must be one of {SCHEDULERS}, got {kind!r}")


def onecycle_factor(schedule: dict, peak: float, steps_per_epoch: int):
    """The one-cycle policy as a multiple of the peak lr, per optimiser step: a linear warm-up from ``start`` to the
    peak over ``warmup_epochs``, half a cosine down to ``floor`` by the end of epoch ``anneal_until``, then ``floor``
    held to the end (the judged last epochs train at the floor)."""
    warm, end = schedule["warmup_epochs"] * steps_per_epoch, schedule["anneal_until"] * steps_per_epoch
    start, floor = schedule["start"] / peak, schedule["floor"] / peak

    def factor(step: int) -> float:
        if step < warm:
            return start + (1 - start) * step / warm
        if step < end:
            return floor + (1 - floor) * (1 + math.cos(math.pi * (step - warm) / (end - warm))) / 2
        return floor
    return factor


def train(model: nn.Module, train_batches, eval_batches, config: dict, progress: bool = True, leave: bool = True,
          log=None) -> tuple[nn.Module, History]:
    """The optimiser, schedule, weight average and loss of ``config``, then ``fit``: returns the model that was
    evaluated after each epoch (the trained one, or its weight average: ``averaged``) and the history."""
    optimizer, scheduler, per_batch = make_optimizer(model, config, len(train_batches))
    loop = config["train"]
    ema = make_ema(model, loop["ema"]) if loop["ema"] else None
    bn_batches = bn_sample(config, model_device(model)) if ema is not None and loop.get("bn_refresh") else None
    stepped = torch.compile(model) if config["compile"] else model  # shares its parameters with ``model``
    history = fit(stepped, train_batches, eval_batches, optimizer, loop["epochs"], scheduler, per_batch,
                  progress=progress, leave=leave, log=log, ema=ema, label_smoothing=loop["label_smoothing"],
                  ema_restart=loop.get("ema_restart"), bn_batches=bn_batches)
    return averaged(model, ema, bn_batches), history


def model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def bn_sample(config: dict, device):
    """The fixed training digits over which a weight average's BatchNorm statistics are recomputed (the recipe's
    ``train.bn_refresh``): the first N of the training part, as stored (no augmentation), never evaluation digits."""
    wanted, limit = config["train"]["bn_refresh"], config["limit_train"]
    return resident_loader(False, EVAL_BATCH_SIZE, device, data_dir=config["data_dir"], seed=config["seed"],
                           limit=min(wanted, limit or wanted), part=SPLITS[config["split"]][0])


def train_recipe(config: dict, device, progress: bool = True, leave: bool = True,
                 log=None) -> tuple[nn.Module, History]:
    """Seed, build the model and the loaders, and ``train``: one complete run of ``config``."""
    seed_everything(config["seed"])
    model = build_model(config["model"]).to(device)
    train_batches, eval_batches = make_loaders(config, device)
    return train(model, train_batches, eval_batches, config, progress=progress, leave=leave, log=log)
