"""A phase's training recipe as one plain dict, and the pieces built from it: loaders, optimiser, scheduler."""

import torch
from torch import nn

from .data import AugmentSpec, torchvision_loader
from .fast import resident_loader
from .models import build_model
from .runtime import seed_everything
from .train import History, fit, on_device
from .validate import PIPELINES

SCHEDULERS = ("none", "step", "multistep", "onecycle")
EVAL_BATCH_SIZE = 2000  # evaluation needs no autograd, so large batches are cheap and fast


def make_loaders(config: dict, device) -> tuple:
    """``(train_batches, test_batches)`` for ``config``: the resident fast path, or torchvision's DataLoader."""
    augment = AugmentSpec(**config["augment"]) if config.get("augment") is not None else None
    common = dict(data_dir=config["data_dir"], seed=config["seed"])
    if config["pipeline"] == "fast":
        train = resident_loader(True, config["batch_size"], device, limit=config["limit_train"], augment=augment, **common)
        test = resident_loader(False, EVAL_BATCH_SIZE, device, limit=config["limit_test"], **common)
        return train, test
    if config["pipeline"] != "torchvision":
        raise ValueError(f"pipeline must be one of {PIPELINES}, got {config['pipeline']!r}")
    phase_for_transforms = 3 if augment is not None else 1  # the transform set follows the augmentation choice
    train = torchvision_loader(phase_for_transforms, True, config["batch_size"], limit=config["limit_train"],
                               augment=augment or AugmentSpec(), **common)
    test = torchvision_loader(1, False, EVAL_BATCH_SIZE, limit=config["limit_test"], **common)
    return on_device(train, device), on_device(test, device)


def make_optimizer(model: nn.Module, config: dict, steps_per_epoch: int):
    """SGD (momentum, optional Nesterov and weight decay) and the scheduler ``config["scheduler"]`` names.

    Returns ``(optimizer, scheduler or None, step_scheduler_per_batch)``.
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"],
                                nesterov=config.get("nesterov", False), weight_decay=config.get("weight_decay", 0.0))
    kind = config.get("scheduler", "none")
    if kind == "none":
        return optimizer, None, False
    if kind == "step":
        return optimizer, torch.optim.lr_scheduler.StepLR(optimizer, config["step_size"], config["gamma"]), False
    if kind == "multistep":
        scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, config["milestones"], config["gamma"])
        return optimizer, scheduler, False
    if kind == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config["lr"], epochs=config["epochs"], steps_per_epoch=steps_per_epoch,
            pct_start=config["pct_start"], div_factor=config["div_factor"],
            final_div_factor=config["final_div_factor"], anneal_strategy="cos")
        return optimizer, scheduler, True
    raise ValueError(f"scheduler must be one of {SCHEDULERS}, got {kind!r}")


def train_recipe(config: dict, device, progress: bool = True, log=print) -> tuple[nn.Module, History]:
    """Seed, build the model and the loaders, and train: one complete run of ``config``."""
    seed_everything(config["seed"])
    model = build_model(config["phase"]).to(device)
    train_batches, test_batches = make_loaders(config, device)
    optimizer, scheduler, per_batch = make_optimizer(model, config, len(train_batches))
    history = fit(model, train_batches, test_batches, optimizer, config["epochs"], scheduler, per_batch,
                  progress=progress, log=log)
    return model, history
