"""``make bench``: seconds per phase-4 training epoch, DataLoader pipeline vs fast path vs the pure model step.

    python -m utils.bench [--device auto] [--steps 120] [--batch-size 128]

Every variant trains the same phase-4 model with the same batch size for ``--steps`` optimiser steps after a
warm-up, and the time is scaled to a full 60,000-image epoch. (c), the model step over batches built beforehand,
is the compute floor of this implementation: a data path can only add to it. Variants are timed in interleaved
rounds and each keeps its best round, since a shared machine has slow spells.
"""

import argparse
import math
import os
import platform
import time

import torch
import torch.nn.functional as F

from .data import REPO_ROOT, AugmentSpec, torchvision_loader
from .fast import resident_loader
from .models import build_model
from .recipe import EVAL_BATCH_SIZE
from .report import update_readme
from .results import write_json
from .trained import RESULTS_DIR
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


def bench(device, steps: int, batch_size: int, worker_options=(0, 1, 2), rounds: int = 3, log=print) -> dict:
    """Seconds per epoch of each variant: the best of ``rounds`` interleaved rounds of ``steps // rounds`` steps each,
    so that a slow spell of a shared machine does not land on one variant only."""
    augment = AugmentSpec()
    # (a)'s num_workers: the fastest for this machine, from a short trial of each option.
    per_workers = {}
    for workers in worker_options:
        loader = on_device(torchvision_loader(3, True, batch_size, augment=augment, num_workers=workers), device)
        model, optimizer = _fresh_model(device)
        per_workers[workers] = _time_steps(model, optimizer, loader, max(steps // 4, 5), device)
        log(f"  DataLoader num_workers={workers}: {_epoch_seconds(per_workers[workers], batch_size):.1f} s/epoch")
    best_workers = min(per_workers, key=per_workers.get)
    fast = resident_loader(True, batch_size, device, augment=augment)
    sources = {
        f"(a) DataLoader + PIL transforms, num_workers={best_workers}":
            on_device(torchvision_loader(3, True, batch_size, augment=augment, num_workers=best_workers), device),
        "(b) fast path, resident + batched augmentation": fast,
        # (c) the compute floor: the same kind of batches, augmented and normalised beforehand.
        "(c) model step only, batches built beforehand": [b for _, b in zip(range(min(steps, len(fast))), fast)],
    }
    best = {name: float("inf") for name in sources}
    for round_ in range(rounds):
        for name, source in sources.items():
            model, optimizer = _fresh_model(device)
            best[name] = min(best[name], _time_steps(model, optimizer, source, max(steps // rounds, 5), device))
        log(f"  round {round_ + 1}/{rounds}: " + ", ".join(f"{_epoch_seconds(s, batch_size):.1f}" for s in best.values()))
    # Test-set evaluation, in large batches without autograd.
    test = resident_loader(False, EVAL_BATCH_SIZE, device)
    evaluate(model, test)
    _sync(device)
    start = time.perf_counter()
    evaluate(model, test)
    _sync(device)
    eval_seconds = time.perf_counter() - start
    return {"per_epoch": {name: _epoch_seconds(s, batch_size) for name, s in best.items()},
            "eval_seconds": eval_seconds, "workers": per_workers}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=150, help="timed optimiser steps per variant, over all rounds")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--record", action="store_true", help="write results/bench.json and the README's table")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    name = (torch.cuda.get_device_name(device) if device.type == "cuda"
            else f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores")
    print(f"device {device} ({name}), torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"batch size {args.batch_size}, {args.steps} timed steps per variant, best of 3 interleaved rounds")
    result = bench(device, args.steps, args.batch_size)
    print("\n| variant | s / epoch |\n|---|---:|")
    for variant, seconds in result["per_epoch"].items():
        print(f"| {variant} | {seconds:.2f} |")
    print(f"| test-set evaluation (10,000 images) | {result['eval_seconds']:.2f} |\n")
    baseline, fast, floor = result["per_epoch"].values()
    summary = (f"speedup {baseline / fast:.2f}x (baseline {baseline:.2f} s/epoch, fast {fast:.2f} s/epoch, "
               f"compute floor {floor:.2f} s/epoch)")
    print(summary)
    if args.record:
        write_json(RESULTS_DIR / "bench.json", {**result, "summary": summary, "machine": name, "torch": torch.__version__,
                                                "threads": torch.get_num_threads(), "batch_size": args.batch_size,
                                                "steps": args.steps})
        update_readme(REPO_ROOT / "README.md", RESULTS_DIR)
        print("recorded in results/bench.json and the README")


if __name__ == "__main__":
    main()
