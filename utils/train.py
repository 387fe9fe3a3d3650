"""The train/test loop: one optimiser step per batch, a per-epoch history, progress while it runs."""

import sys
import time
from dataclasses import dataclass, field, asdict

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

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def epochs(self) -> int:
        return len(self.test_acc)


@torch.no_grad()
def evaluate(model: nn.Module, batches) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (percent) of ``model`` over ``batches``, in eval mode, without autograd."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for inputs, labels in batches:
        logits = model(inputs)
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
    return total_loss / seen, 100.0 * correct / seen


def _train_epoch(model, batches, optimizer, scheduler, step_scheduler_per_batch, lr_log, bar) -> tuple[float, float]:
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for inputs, labels in batches:
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        lr_log.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None and step_scheduler_per_batch:
            scheduler.step()
        # .item() syncs with the device; once per batch is the price of a live progress bar and exact sums.
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
        bar.update(1)
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{100.0 * correct / seen:.2f}%", refresh=False)
    return total_loss / seen, 100.0 * correct / seen


def fit(model: nn.Module, train_batches, test_batches, optimizer: torch.optim.Optimizer, epochs: int,
        scheduler=None, step_scheduler_per_batch: bool = False, progress: bool = True, log=print) -> History:
    """Train for ``epochs`` and test after each; returns the history.

    ``train_batches`` / ``test_batches`` are re-iterable sources of ``(inputs, labels)`` already on the model's device
    (``utils.fast.ResidentLoader``, or a DataLoader wrapped by ``on_device``). ``scheduler`` is stepped after every
    batch when ``step_scheduler_per_batch`` (OneCycleLR), else after every epoch (StepLR). One tqdm bar per epoch
    while it runs (when ``progress``), and one line per epoch through ``log`` that stays.
    """
    history = History()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        history.lr.append(optimizer.param_groups[0]["lr"])
        with tqdm(total=len(train_batches), desc=f"epoch {epoch}/{epochs}", leave=False, disable=not progress,
                  file=sys.stderr, mininterval=1.0) as bar:
            train_loss, train_acc = _train_epoch(model, train_batches, optimizer, scheduler,
                                                 step_scheduler_per_batch, history.lr_per_step, bar)
        if scheduler is not None and not step_scheduler_per_batch:
            scheduler.step()
        test_loss, test_acc = evaluate(model, test_batches)
        seconds = time.perf_counter() - start
        for key, value in [("train_loss", train_loss), ("train_acc", train_acc), ("test_loss", test_loss),
                           ("test_acc", test_acc), ("seconds", seconds)]:
            getattr(history, key).append(value)
        log(f"epoch {epoch:2d}/{epochs}  train loss {train_loss:.4f} acc {train_acc:6.2f}%  "
            f"test loss {test_loss:.4f} acc {test_acc:6.2f}%  lr {history.lr[-1]:.5f}  {seconds:5.1f}s")
    return history


class on_device:
    """Wraps a DataLoader so it yields its batches on ``device`` (the torchvision path's counterpart of ResidentLoader)."""

    def __init__(self, loader, device):
        self.loader, self.device = loader, device

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for inputs, labels in self.loader:
            yield inputs.to(self.device, non_blocking=True), labels.to(self.device, non_blocking=True)
