"""``make bench``: seconds per phase-4 training epoch, DataLoader pipeline vs fast path vs the pure model step.

    python -m utils.bench [--device auto] [--steps 120] [--batch-size 128]

Every variant trains the same phase-4 model with the same batch size for ``--steps`` optimiser steps after a
warm-up, and the time is scaled to a full 60,000-image epoch. (c), the model step over batches built beforehand,
is the compute floor of this implementation: a data path can only add to it.
"""

import argparse
import math
import os
import time

import torch
import torch.nn.functional as F

from .data import AugmentSpec, torchvision_loader
from .fast import resident_loader
from .models import build_model
from .recipe import EVAL_BATCH_SIZE
from .runtime import pick_device, seed_everything
from .train import evaluate, on_device

TRAIN_SIZE = 60_000
WARMUP_STEPS = 10


def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _time_steps(model, optimizer, batches, steps: int, device) -> float:
    """Seconds per optimiser step over ``steps`` steps drawn from ``batches`` (re-iterated as needed), after a warm-up."""
    def stream():
        while True:
            yield from batches
    source = stream()
    model.train()

    def step():
        inputs, labels = next(source)
        loss = F.cross_entropy(model(inputs), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    for _ in range(WARMUP_STEPS):
        step()
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(device)
    return (time.perf_counter() - start) / steps


def _fresh_model(device):
    seed_everything(0)
    model = build_model(4).to(device)
    return model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def _epoch_seconds(step_seconds: float, batch_size: int) -> float:
    return step_seconds * math.ceil(TRAIN_SIZE / batch_size)


def bench(device, steps: int, batch_size: int, worker_options=(0, 1, 2), log=print) -> dict:
    augment = AugmentSpec()
    rows = {}
    # (a) DataLoader + per-sample PIL transforms, with the fastest num_workers for this machine.
    per_workers = {}
    for workers in worker_options:
        loader = on_device(torchvision_loader(3, True, batch_size, augment=augment, num_workers=workers), device)
        model, optimizer = _fresh_model(device)
        per_workers[workers] = _time_steps(model, optimizer, loader, max(steps // 3, 10), device)
        log(f"  DataLoader num_workers={workers}: {_epoch_seconds(per_workers[workers], batch_size):.1f} s/epoch")
    best_workers = min(per_workers, key=per_workers.get)
    loader = on_device(torchvision_loader(3, True, batch_size, augment=augment, num_workers=best_workers), device)
    model, optimizer = _fresh_model(device)
    rows[f"(a) DataLoader + PIL transforms, num_workers={best_workers}"] = _time_steps(model, optimizer, loader, steps, device)
    # (b) the fast path: resident tensor, batched per-sample augmentation.
    fast = resident_loader(True, batch_size, device, augment=augment)
    model, optimizer = _fresh_model(device)
    rows["(b) fast path, resident + batched augmentation"] = _time_steps(model, optimizer, fast, steps, device)
    # (c) compute floor: the same batches, augmented and normalised beforehand.
    prebuilt = [batch for _, batch in zip(range(min(steps, len(fast))), fast)]
    model, optimizer = _fresh_model(device)
    rows["(c) model step only, batches built beforehand"] = _time_steps(model, optimizer, prebuilt, steps, device)
    # Test-set evaluation, in large batches without autograd.
    test = resident_loader(False, EVAL_BATCH_SIZE, device)
    evaluate(model, test)
    _sync(device)
    start = time.perf_counter()
    evaluate(model, test)
    _sync(device)
    eval_seconds = time.perf_counter() - start
    return {"per_epoch": {name: _epoch_seconds(s, batch_size) for name, s in rows.items()},
            "eval_seconds": eval_seconds, "workers": per_workers}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=120, help="timed optimiser steps per variant")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{os.cpu_count()} CPU cores"
    print(f"device {device} ({name}), torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"batch size {args.batch_size}, {args.steps} timed steps per variant")
    result = bench(device, args.steps, args.batch_size)
    print(f"\n| variant | s / epoch |\n|---|---:|")
    for variant, seconds in result["per_epoch"].items():
        print(f"| {variant} | {seconds:.2f} |")
    print(f"| test-set evaluation (10,000 images) | {result['eval_seconds']:.2f} |\n")
    baseline, fast, floor = result["per_epoch"].values()
    print(f"speedup {baseline / fast:.2f}x (baseline {baseline:.2f} s/epoch, fast {fast:.2f} s/epoch, "
          f"compute floor {floor:.2f} s/epoch)")


if __name__ == "__main__":
    main()
