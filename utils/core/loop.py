"""The train/test loop (``fit``): one optimiser step per batch, a per-epoch history, progress while it runs; the
weight average and its BatchNorm statistics. ``utils.core.runs.train`` builds its pieces from a recipe."""

import copy
import sys
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm


@dataclass
class History:
    """Per-epoch records of a run; accuracies in percent. ``lr_per_step`` is every optimiser step's learning rate."""
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)          # learning rate at the start of each epoch
    seconds: list[float] = field(default_factory=list)     # wall time of each epoch, evaluation included
    lr_per_step: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.test_acc)


PROGRESS_EVERY = 50  # steps between progress-bar updates: each one reads the running loss, one device sync


@torch.no_grad()
def evaluate(model: nn.Module, batches) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (percent) of ``model`` over ``batches``, in eval mode, without autograd.

    Sums stay on the device and are read once at the end: no host-device sync per batch.
    """
    model.eval()
    total_loss, correct, seen = None, None, 0
    for inputs, labels in batches:
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels, reduction="sum")
        hits = (logits.argmax(dim=1) == labels).sum()
        total_loss, correct = (loss, hits) if total_loss is None else (total_loss + loss, correct + hits)
        seen += len(labels)
    return total_loss.item() / seen, 100.0 * correct.item() / seen


def _train_epoch(model, batches, optimizer, scheduler, step_scheduler_per_batch, lr_log, bar, ema=None,
                 label_smoothing: float = 0.0) -> tuple[float, float]:
    model.train()
    total_loss, correct, seen, reported = None, None, 0, 0
    for step, (inputs, labels) in enumerate(batches, start=1):
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        lr_log.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if ema is not None:
            ema.update_parameters(model)
        if scheduler is not None and step_scheduler_per_batch:
            scheduler.step()
        # Summed on the device and read once per epoch: an .item() per step would wait for the GPU every step.
        batch_loss = loss.detach() * len(labels)
        hits = (logits.argmax(dim=1) == labels).sum()
        total_loss, correct = (batch_loss, hits) if total_loss is None else (total_loss + batch_loss, correct + hits)
        seen += len(labels)
        if step % PROGRESS_EVERY == 0:
            bar.set_postfix_str(f"train loss {total_loss.item() / seen:.4f}", refresh=False)
            bar.update(step - reported)
            reported = step
    bar.update(seen and step - reported)
    return total_loss.item() / seen, 100.0 * correct.item() / seen


def fit(model: nn.Module, train_batches, test_batches, optimizer: torch.optim.Optimizer, epochs: int,
        scheduler=None, step_scheduler_per_batch: bool = False, progress: bool = True, leave: bool = True,
        log=None, ema=None, label_smoothing: float = 0.0, ema_restart: int | None = None,
        bn_batches=None) -> History:
    """Train for ``epochs`` and test after each; returns the history.

    ``train_batches`` / ``test_batches`` are re-iterable sources of ``(inputs, labels)`` already on the model's device
    (``utils.core.fast.ResidentLoader``, or a DataLoader wrapped by ``on_device``). ``scheduler`` is stepped after every
    batch when ``step_scheduler_per_batch`` (OneCycleLR), else after every epoch (StepLR, MultiStepLR). While it
    runs, one tqdm bar over all steps (when ``progress``; it ends as one line, or vanishes unless ``leave``); ``log``,
    when given, also gets one line per epoch.

    ``ema`` (``make_ema``): an exponential moving average of the weights and the BatchNorm buffers, updated after
    every optimiser step; when given, it is the model that is evaluated after each epoch. ``ema_restart``: the epoch
    after which the average starts again from the weights of that moment (the first lr drop: only settled iterates
    are averaged from then on). ``bn_batches``: training digits over which the average's BatchNorm statistics are
    recomputed for its own weights before each evaluation (``precise_bn``). ``label_smoothing`` goes to the training
    loss only (the evaluation loss stays plain cross-entropy).
    """
    history = History()
    steps = len(train_batches)
    with tqdm(total=epochs * steps, desc="training", disable=not progress, leave=leave, file=sys.stderr,
              mininterval=1.0, bar_format="{desc} {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt} steps "
                                          "[{elapsed}<{remaining}]{postfix}") as bar:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            bar.set_description_str(f"epoch {epoch}/{epochs}", refresh=False)
            history.lr.append(optimizer.param_groups[0]["lr"])
            train_loss, train_acc = _train_epoch(model, train_batches, optimizer, scheduler,
                                                 step_scheduler_per_batch, history.lr_per_step, bar, ema,
                                                 label_smoothing)
            if scheduler is not None and not step_scheduler_per_batch:
                scheduler.step()
            if ema is not None and epoch == ema_restart:
                ema.n_averaged.zero_()  # the next update copies the weights: the average starts again
            test_loss, test_acc = evaluate(averaged(model, ema, bn_batches), test_batches)
            seconds = time.perf_counter() - start
            for key, value in [("train_loss", train_loss), ("train_acc", train_acc), ("test_loss", test_loss),
                               ("test_acc", test_acc), ("seconds", seconds)]:
                getattr(history, key).append(value)
            bar.set_postfix_str(f"epoch {epoch} eval acc {test_acc:.2f}%")
            if log is not None:
                log(f"epoch {epoch:2d}/{epochs}  train loss {train_loss:.4f} acc {train_acc:6.2f}%  "
                    f"eval loss {test_loss:.4f} acc {test_acc:6.2f}%  lr {history.lr[-1]:.5f}  {seconds:5.1f}s")
    return history


def make_ema(model: nn.Module, decay: float) -> torch.optim.swa_utils.AveragedModel:
    """An exponential moving average of ``model``'s weights *and* BatchNorm buffers (``use_buffers=True``), as timm's
    ``ModelEmaV2`` keeps them: after each step, ``ema = decay * ema + (1 - decay) * weights``; the first update copies.

    The averaged model is the one to evaluate, report and save: its running statistics are averaged with its weights,
    so they stay in step with them (no extra pass over the data to recompute BatchNorm statistics).
    """
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


def precise_bn(model: nn.Module, batches) -> nn.Module:
    """A copy of ``model`` whose BatchNorm running statistics are recomputed over ``batches`` for its own weights
    (PreciseBN; ``torch.optim.swa_utils.update_bn``: a plain mean over the batches); ``model`` is left untouched."""
    refreshed = copy.deepcopy(model)
    with torch.no_grad():
        torch.optim.swa_utils.update_bn(batches, refreshed)
    return refreshed


def averaged(model: nn.Module, ema=None, bn_batches=None) -> nn.Module:
    """The model a run evaluates, reports and saves: ``model`` itself, or its weight average ``ema``, with BatchNorm
    statistics recomputed over ``bn_batches`` when given."""
    if ema is None:
        return model
    return ema.module if bn_batches is None else precise_bn(ema.module, bn_batches)


class on_device:
    """Wraps a DataLoader so it yields its batches on ``device`` (the torchvision path's counterpart of
    ResidentLoader)."""

    def __init__(self, loader, device):
        self.loader, self.device = loader, device

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for inputs, labels in self.loader:
            yield inputs.to(self.device, non_blocking=True), labels.to(self.device, non_blocking=True)
