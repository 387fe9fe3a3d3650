"""``make bench``: seconds per phase-4 training epoch, DataLoader pipeline vs fast path vs the pure model step.

    python -m utils.commands.bench [--device auto] [--steps 250] [--batch-size 128]

Every variant trains the same phase-4 model with the same batch size for ``--steps`` optimiser steps after a
warm-up, and the time is scaled to a full 60,000-image epoch. (c), the model step on one batch built beforehand and
reused for every step (hot in cache, no data work at all), is the compute floor of this implementation: a data path
can only add to it. Variants are timed in interleaved rounds, since a shared machine has slow spells; each variant's
median round is reported with the spread of its rounds, and the speedup with the range the rounds allow.

The record goes to ``results/bench_<device>.json`` (``bench_cpu.json``, ``bench_cuda.json``, ...): a GPU run never
overwrites the CPU record.
"""

import argparse
import math
import re
import statistics
import time

import torch
import torch.nn.functional as F

from ..core.data import PART_SIZES, AugmentSpec, torchvision_loader
from ..core.fast import resident_loader
from ..core.machine import describe, platform_record
from ..core.models import build_model
from ..core.runs import EVAL_BATCH_SIZE
from ..core.runtime import pick_device, seed_everything
from ..core.loop import evaluate, on_device
from ..paths import project_root, results_dir
from ..recipes import PHASE4
from ..records import write_json
from ..report.readme import update_readme
from ..report.tables import bench_summary

WARMUP_STEPS = 10
COMPILED = "(d) model step only, torch.compile"
COMPILED_PATH = "(e) fast path, torch.compile'd step"  # the trials' path: (b) with (d)'s compiled step


def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def _time_steps(model, optimizer, batches, steps: int, device) -> float:
    """Seconds per optimiser step over ``steps`` steps drawn from ``batches`` (re-iterated as needed), after a
    warm-up."""
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
    model = build_model(PHASE4["model"]).to(device)
    return model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def _epoch_seconds(step_seconds: float, batch_size: int) -> float:
    return step_seconds * math.ceil(PART_SIZES["train"] / batch_size)


def bench(device, steps: int, batch_size: int, worker_options=(0, 1, 2), rounds: int = 5, log=print,
          compile_step: bool = False) -> dict:
    """Seconds per epoch of each variant in each of ``rounds`` interleaved rounds of ``steps // rounds`` steps, so
    that a slow spell of a shared machine lands on every variant alike; the median round is the figure.
    ``compile_step`` adds (d): (c) with the model compiled by ``torch.compile`` (compiled during the warm-up steps,
    which are not timed; the compile time is reported apart), and (e): the whole fast path (data, augmentation,
    step) with that compiled step, as ``make trials`` runs it, beside (b), the same path eager."""
    augment = AugmentSpec(**PHASE4["augment"])
    # (a)'s num_workers: the fastest for this machine, from a short trial of each option.
    per_workers = {}
    for workers in worker_options:
        loader = on_device(torchvision_loader(True, batch_size, augment=augment, num_workers=workers), device)
        model, optimizer = _fresh_model(device)
        per_workers[workers] = _time_steps(model, optimizer, loader, max(steps // 4, 5), device)
        log(f"  DataLoader num_workers={workers}: {_epoch_seconds(per_workers[workers], batch_size):.1f} s/epoch")
    best_workers = min(per_workers, key=per_workers.get)
    fast = resident_loader(True, batch_size, device, augment=augment)
    sources = {
        f"(a) DataLoader + PIL transforms, num_workers={best_workers}":
            on_device(torchvision_loader(True, batch_size, augment=augment, num_workers=best_workers), device),
        "(b) fast path, resident + batched augmentation": fast,
        # (c) the compute floor: one batch of the same kind, augmented beforehand, reused for every step.
        "(c) model step only, one batch built beforehand": [next(iter(fast))],
    }
    if compile_step:
        sources[COMPILED] = sources["(c) model step only, one batch built beforehand"]
        sources[COMPILED_PATH] = fast
    per_round = {name: [] for name in sources}
    compile_seconds = []
    for round_ in range(rounds):
        for name, source in sources.items():
            model, optimizer = _fresh_model(device)
            if name in (COMPILED, COMPILED_PATH):
                model = torch.compile(model)
                start = time.perf_counter()
                _time_steps(model, optimizer, source, 1, device)  # the first steps compile
                if name == COMPILED:
                    compile_seconds.append(time.perf_counter() - start)
            step_seconds = _time_steps(model, optimizer, source, max(steps // rounds, 5), device)
            per_round[name].append(_epoch_seconds(step_seconds, batch_size))
        log(f"  round {round_ + 1}/{rounds}: " + ", ".join(f"{v[-1]:.1f}" for v in per_round.values()))
    # Test-set evaluation, in large batches without autograd.
    test = resident_loader(False, EVAL_BATCH_SIZE, device)
    evaluate(model, test)
    _sync(device)
    start = time.perf_counter()
    evaluate(model, test)
    _sync(device)
    eval_seconds = time.perf_counter() - start
    extra = {"compile_seconds": compile_seconds} if compile_step else {}
    return {"per_epoch": {name: statistics.median(values) for name, values in per_round.items()},
            "rounds": per_round, "eval_seconds": eval_seconds, **extra,
            "workers": {w: _epoch_seconds(s, batch_size) for w, s in per_workers.items()}}


def bench_file(device) -> str:
    """``bench_cpu.json``, ``bench_cuda_nvidia_h100.json``, ...: one record per kind of device."""
    record = platform_record(device)
    name = record.get("device_name")
    return (f"bench_{record['device']}" + (f"_{re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')}" if name else "")
            + ".json")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=250, help="timed optimiser steps per variant, over all rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--record", action="store_true",
                        help="write results/bench_<device>.json and its table in docs/reproducibility.md")
    parser.add_argument("--no-compile", action="store_true", help="leave out (d) and (e), the torch.compile'd step")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    machine = platform_record(device)
    print(f"{describe(machine)}, batch size {args.batch_size}, {args.steps} timed steps per variant in "
          f"{args.rounds} interleaved rounds")
    result = bench(device, args.steps, args.batch_size, rounds=args.rounds, compile_step=not args.no_compile)
    print("\n| variant | s / epoch (median) | rounds |\n|---|---:|---|")
    for variant, seconds in result["per_epoch"].items():
        print(f"| {variant} | {seconds:.2f} | {', '.join(f'{v:.2f}' for v in result['rounds'][variant])} |")
    print(f"| test-set evaluation (10,000 images) | {result['eval_seconds']:.2f} | |\n")
    summary = bench_summary(result)
    print(summary)
    if args.record:
        write_json(results_dir() / bench_file(device), {**result, "platform": machine,
                                                         "batch_size": args.batch_size, "steps": args.steps})
        update_readme(project_root() / "README.md", results_dir())
        print(f"recorded in results/{bench_file(device)} and docs/reproducibility.md")


if __name__ == "__main__":
    main()
