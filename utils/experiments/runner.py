"""Runs many trainings and records each as it finishes: the trials and searches on the validation split, and the
seed spread of phases 1-3 on the test split.

Each record file is rewritten after every finished run, so an interrupted command keeps what it finished, and a
re-run skips the runs already recorded with the same recipe and seed. Runs go to worker processes, each with its
share of the cores (on 2 cores: 2 processes of 1 thread, which the bench measured as the better layout).
"""

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..core.machine import platform_record
from ..core.models import build_model, count_parameters
from ..core.runs import run_config, train_recipe
from ..phases import PHASES, phase as phase_row
from ..recipes import (CANDIDATE_LEVERS, PHASE4, PHASE4_CANDIDATES, PHASE5_CANDIDATES, ROUND2_LEVERS, SEARCH2_LEVERS,
                       SEARCH2_SPECS, round2_recipe, search2_recipe)
from ..records import WRITTEN_BY, load, run_row, summarize, write_json
from . import round3 as round3_rules
from .trials import (PHASE5_REFERENCE, PHASE5_RULE, ROUND2_RULE, ROUND2_STAGE1_SEEDS, ROUND2_STAGE2_SEEDS, RULE,
                     SEARCH2_FINAL_SEEDS, SEARCH2_RULE, SEARCH2_STAGE1_SEEDS, SPLIT, frontier, pick, pick_powered,
                     pick_search2, pick_smallest, search2_finalists, stage2_candidates)


def _train_one(key, config: dict, threads: int) -> tuple:
    """In a worker process: one complete run; returns ``(key, row)``."""
    import torch  # the worker's own torch, limited to its share of the cores
    torch.set_num_threads(threads)
    start = time.perf_counter()
    _, history = train_recipe(config, "cpu", progress=False, log=None)
    platform = {**platform_record("cpu"), **({"torch_compile": True} if config["compile"] else {})}
    return key, run_row(config["seed"], history.test_acc, time.perf_counter() - start, platform)


def run_pool(jobs: list[tuple], workers: int, on_done, log=print) -> None:
    """Run ``jobs`` (``(key, config)`` pairs) in ``workers`` processes, each with cores / workers threads."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    log(f"{len(jobs)} runs, {workers} at a time, {threads} thread(s) each")
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_train_one, key, config, threads) for key, config in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            key, row = future.result()
            on_done(key, row)
            log(f"[{done}/{len(jobs)}] {key}: last-5 min {row['min_last']:.2f}, final {row['final']:.2f} "
                f"({row['seconds']:.0f} s)")


def _load(path: Path) -> dict | None:
    return load(path.name, path.parent, required=False)


def _recorded(entry: dict | None, recipe: dict, seed: int) -> dict | None:
    """The run of ``seed`` already in ``entry``, if it was made with this very recipe."""
    if entry is None or entry["recipe"] != json.loads(json.dumps(recipe)):
        return None
    return next((run for run in entry["runs"] if run["seed"] == seed), None)


def trials(seeds: list[int], workers: int, out: Path, data_dir=None, log=print, search: bool = False) -> dict:
    """Phase 4's recipe candidates, round 1, or, with ``search``, phase 5's smaller models (``make search``), each
    trained on the validation split under ``seeds``; judged by their own rule."""
    if not search:
        candidates, command, rule, reference = PHASE4_CANDIDATES, WRITTEN_BY["phase4_trials.json"], RULE, None
        entries = {name: {"name": name, "levers": CANDIDATE_LEVERS[name], "recipe": recipe, "runs": []}
                   for name, recipe in candidates.items()}
    else:  # judged against phase 4's trials: read them (and fail, if they are missing) before any training
        candidates, command, rule = PHASE5_CANDIDATES, "make search", PHASE5_RULE
        reference = _phase5_reference(seeds, out.parent)
        entries = {name: _sized({"name": name, "recipe": recipe, "runs": []}, recipe["model"])
                   for name, recipe in candidates.items()}
    previous = {c["name"]: c for c in (_load(out) or {}).get("candidates", [])}
    jobs = []
    for seed in seeds:  # seed-major order: a partial file holds every candidate's first seeds
        for name, recipe in candidates.items():
            kept = _recorded(previous.get(name), recipe, seed)
            if kept:
                entries[name]["runs"].append(kept)
            else:
                jobs.append((name, run_config(recipe, seed=seed, split="validation", data_dir=data_dir, device="cpu")))

    def write(complete: bool) -> dict:
        done = []
        for entry in entries.values():
            runs = sorted(entry["runs"], key=lambda run: run["seed"])
            done.append({**entry, "runs": runs, "summary": summarize(runs) if runs else None})
        record = {"command": command, "split": SPLIT, "seeds": seeds, "rule": rule, "complete": complete,
                  "candidates": done}
        if reference is not None:
            record["reference"] = reference
        if complete:
            record["picked"], record["reason"] = pick(done) if reference is None else pick_smallest(done, reference)
        write_json(out, record)
        return record

    def on_done(name, row):
        entries[name]["runs"].append(row)
        write(complete=False)

    run_pool(jobs, workers, on_done, log)
    record = write(complete=True)
    log(f"picked {record['picked']}: {record['reason']}")
    return record


def _validation_jobs(entry: dict, recorded: dict | None, seeds, data_dir, compile: bool = False) -> list[tuple]:
    """The runs ``entry`` (a candidate: name, recipe, runs) still needs under ``seeds`` on the validation split: a seed
    it has is skipped, a seed ``recorded`` (its entry in the file being resumed) has of the same recipe is kept."""
    jobs = []
    for seed in seeds:
        if any(run["seed"] == seed for run in entry["runs"]):
            continue
        kept = _recorded(recorded, entry["recipe"], seed)
        if kept:
            entry["runs"].append(kept)
        else:
            jobs.append((entry["name"], run_config(entry["recipe"], seed=seed, split="validation", data_dir=data_dir,
                                                   device="cpu", compile=compile)))
    return jobs


def round2(workers: int, out: Path, data_dir=None, log=print) -> dict:
    """Phase 4's trials, round 2 (``make trials``): stage 1, then the stage 2 that stage 1's results call for, then the
    decision, all by ``utils.experiments.trials.ROUND2_RULE``. Resumable like ``trials``: recorded runs of the same
    recipe and seed are kept, not trained again."""
    previous = {c["name"]: c for c in (_load(out) or {}).get("candidates", [])}
    entries: dict[str, dict] = {}
    stages: dict[str, list[str]] = {}

    def add(levers: tuple, seeds) -> list:
        name = "+".join(levers) or "base"
        recipe = round2_recipe(levers)
        entry = entries.setdefault(name, {"name": name, "levers": list(levers),
                                          "what": "; ".join(ROUND2_LEVERS[lever][0] for lever in levers)
                                          or "round 1's pick (C): phase 3's recipe, MultiStepLR([8, 12], 0.1), lr 0.1",
                                          "recipe": recipe, "runs": []})
        return _validation_jobs(entry, previous.get(name), seeds, data_dir)

    def write(**decision) -> dict:
        candidates = [{**e, "runs": sorted(e["runs"], key=lambda run: run["seed"])} for e in entries.values()]
        record = {"command": "make trials", "round": 2, "split": SPLIT, "rule": ROUND2_RULE,
                  "stage_seeds": {"1": list(ROUND2_STAGE1_SEEDS), "2": list(ROUND2_STAGE2_SEEDS)},
                  "stages": stages, "complete": bool(decision), "candidates": candidates, **decision}
        write_json(out, record)
        return record

    def on_done(name, row):
        entries[name]["runs"].append(row)
        write()

    stage1 = [()] + [(lever,) for lever in ROUND2_LEVERS]
    stages["1"] = ["+".join(levers) or "base" for levers in stage1]
    jobs = [job for seed in ROUND2_STAGE1_SEEDS for levers in stage1 for job in add(levers, [seed])]  # seed-major
    log("stage 1")
    run_pool(jobs, workers, on_done, log)
    stage2 = stage2_candidates([entries[name] for name in stages["1"]])
    stages["2"] = ["+".join(levers) or "base" for levers in stage2]
    jobs = [job for seed in ROUND2_STAGE1_SEEDS + ROUND2_STAGE2_SEEDS for levers in stage2
            for job in add(levers, [seed] if len(levers) > 1 or seed in ROUND2_STAGE2_SEEDS else [])]
    log(f"stage 2: {', '.join(stages['2'])}")
    run_pool(jobs, workers, on_done, log)
    picked, reason, comparisons = pick_powered([entries[name] for name in stages["2"]])
    record = write(picked=picked, reason=reason, comparisons=comparisons)
    log(f"picked {picked}: {reason}")
    return record


def round3(workers: int, out: Path, data_dir=None, log=print, compile: bool = True) -> dict:
    """Phase 4's trials, round 3 (``make trials``): the four stages and the decision of
    ``utils.experiments.round3.RULE``, each stage planned from the runs before it. ``compile``: every run's training
    step through ``torch.compile`` (the statistics transfer, the bits do not; noted in the record and in each run).
    Resumable: recorded runs of the same recipe and seed are kept, not trained again."""
    previous = {c["name"]: c for c in (_load(out) or {}).get("candidates", [])}
    entries: dict[str, dict] = {}
    stages: dict[str, list[str]] = {}

    def write(**decision) -> dict:
        candidates = [{**e, "runs": sorted(e["runs"], key=lambda run: run["seed"])} for e in entries.values()]
        record = {"command": "make trials", "round": 3, "split": SPLIT, "rule": round3_rules.RULE,
                  "compiled": compile, "stage_seeds": {k: list(v) for k, v in round3_rules.STAGE_SEEDS.items()},
                  "stages": stages, "complete": bool(decision), "candidates": candidates, **decision}
        write_json(out, record)
        return record

    def on_done(name, row):
        entries[name]["runs"].append(row)
        write()

    def run(stage: str, plan: list[tuple[str, ...]]) -> list[dict]:
        stages[stage] = [round3_rules.name_of(levers) for levers in plan]
        jobs = []
        for seed in round3_rules.STAGE_SEEDS[stage]:  # seed-major: a partial file holds every candidate's first seeds
            for levers in plan:
                name = round3_rules.name_of(levers)
                entry = entries.setdefault(name, {
                    "name": name, "levers": list(levers), "recipe": round3_rules.recipe(levers), "runs": [],
                    "what": "; ".join(round3_rules.LEVERS[lever][0] for lever in levers) or "round 2's pick"})
                jobs += _validation_jobs(entry, previous.get(name), [seed], data_dir, compile)
        log(f"stage {stage}: {', '.join(stages[stage]) or 'nothing to run'}")
        run_pool(jobs, workers, on_done, log)
        return [entries[name] for name in stages[stage]]

    stage1 = run("1", [()] + [(lever,) for lever in round3_rules.SINGLES])
    stage2 = run("2", round3_rules.combinations(stage1))
    stage3 = run("3", [tuple(entries[name]["levers"]) for name in round3_rules.survivors(stage1 + stage2)])
    stage4 = run("4", [tuple(entries[name]["levers"]) for name in round3_rules.finalists(stage3)])
    record = write(**round3_rules.decide(stage4, entries["base"]))
    log(f"picked {record['picked']}: {record['reason']}")
    return record


def _search2_reference(results: Path) -> dict:
    """Phase 4's recipe and model in round 2 of phase 4's trials, seeds 1-8: the level phase 5's round 2 is held to."""
    trials4 = _load(results / "phase4_trials_round2.json")
    recipe = json.loads(json.dumps(PHASE4))
    entry = next((c for c in (trials4 or {}).get("candidates", []) if c["recipe"] == recipe), None)
    seeds = SEARCH2_STAGE1_SEEDS + SEARCH2_FINAL_SEEDS
    runs = [run for run in (entry or {}).get("runs", []) if run["seed"] in seeds]
    if entry is None or len(runs) < len(seeds):
        raise ValueError(f"phase 5's search is judged against phase 4's recipe under seeds {list(seeds)} in "
                         f"results/phase4_trials_round2.json: finish `make trials` (and set phase 4's recipe to its "
                         f"pick) first")
    return _sized({"name": f"phase 4 ({entry['name']})", "source": "results/phase4_trials_round2.json", "runs": runs,
                   "summary": summarize(runs)}, PHASE4["model"])


def search2(workers: int, out: Path, data_dir=None, log=print, compile: bool = False) -> dict:
    """Phase 5's search, round 2 (``make search``): stage 1 (architectures), stage 2 (levers on the frontier one),
    stage 3 (the finalists' seeds 5-8) and the decision, by ``utils.experiments.trials.SEARCH2_RULE``. Resumable:
    recorded runs of the same recipe and seed are kept, not trained again."""
    reference = _search2_reference(out.parent)  # before any training: a missing reference is an error now
    previous = {c["name"]: c for c in (_load(out) or {}).get("candidates", [])}
    entries: dict[str, dict] = {}
    stages: dict[str, list[str]] = {}

    def add(spec: str, levers: tuple, seeds) -> list:
        name = "+".join((spec, *levers))
        recipe = search2_recipe(spec, levers)
        what = "; ".join(SEARCH2_LEVERS[lever][0] for lever in levers) or "phase 4's recipe"
        entry = entries.setdefault(name, _sized({"name": name, "spec": spec, "levers_applied": list(levers),
                                                 "what": what, "recipe": recipe, "runs": []}, spec))
        return _validation_jobs(entry, previous.get(name), seeds, data_dir, compile)

    def write(**decision) -> dict:
        candidates = [{**e, "runs": sorted(e["runs"], key=lambda run: run["seed"])} for e in entries.values()]
        record = {"command": "make search", "round": 2, "split": SPLIT, "rule": SEARCH2_RULE,
                  "stage_seeds": {"1": list(SEARCH2_STAGE1_SEEDS), "2": list(SEARCH2_STAGE1_SEEDS),
                                  "3": list(SEARCH2_FINAL_SEEDS)},
                  "stages": stages, "complete": bool(decision), "reference": reference, "candidates": candidates,
                  **decision}
        write_json(out, record)
        return record

    def on_done(name, row):
        entries[name]["runs"].append(row)
        write()

    def run(stage: str, plan: list[tuple[str, tuple]], seeds) -> None:
        stages[stage] = ["+".join((spec, *levers)) for spec, levers in plan]
        jobs = [job for seed in seeds for spec, levers in plan for job in add(spec, levers, [seed])]  # seed-major
        log(f"stage {stage}: {len(plan)} candidates")
        run_pool(jobs, workers, on_done, log)

    run("1", [(spec, ()) for spec in SEARCH2_SPECS], SEARCH2_STAGE1_SEEDS)
    edge = frontier([entries[name] for name in stages["1"]])
    levers = [lever for lever in SEARCH2_LEVERS  # a lever phase 4's recipe already has changes nothing: skipped
              if search2_recipe(edge["spec"], (lever,)) != search2_recipe(edge["spec"])]
    run("2", [(edge["spec"], (lever,)) for lever in levers], SEARCH2_STAGE1_SEEDS)
    finalists = search2_finalists([entries[n] for n in stages["1"]], [entries[n] for n in stages["2"]])
    plan = [(entries[name]["spec"], tuple(entries[name]["levers_applied"])) for name in finalists]
    run("3", plan, SEARCH2_FINAL_SEEDS)
    picked, reason = pick_search2([entries[name] for name in finalists], reference)
    record = write(picked=picked, reason=reason)
    log(f"picked {picked}: {reason}")
    return record


def _sized(entry: dict, model) -> dict:
    """A phase-5 entry with ``model``'s parameter count, shown where phase 4's entries show their lever."""
    params = count_parameters(build_model(model))
    return {**entry, "levers": f"{params:,}", "params": params}


def _phase5_reference(seeds: list[int], results: Path) -> dict:
    """Phase 4's recipe and model (candidate C of ``results/phase4_trials.json``) on ``seeds``: phase 5's yardstick."""
    trials4 = _load(results / "phase4_trials.json")
    if trials4 is None:
        raise FileNotFoundError(f"phase 5's search is judged against phase 4's trials, round 1: run "
                                f"`{WRITTEN_BY['phase4_trials.json']}` first")
    entry = next(c for c in trials4["candidates"] if c["name"] == PHASE5_REFERENCE)
    runs = [run for run in entry["runs"] if run["seed"] in seeds]
    missing = sorted(set(seeds) - {run["seed"] for run in runs})
    if missing:
        raise ValueError(f"phase 4's trials have no run of candidate {PHASE5_REFERENCE} for seeds {missing}")
    return _sized({"name": f"phase 4 ({PHASE5_REFERENCE})", "source": "results/phase4_trials.json", "runs": runs,
                   "summary": summarize(runs)}, entry["recipe"]["model"])


def study(phase: int, seeds: list[int], compared_seeds: list[int], workers: int, out: Path, data_dir=None,
          log=print, compile: bool = False) -> dict:
    """Phase ``phase``'s seed study on the test split (``make study``): its own recipe under ``seeds`` and each recipe
    it is compared with (``utils.phases.Phase.compared_with``) under ``compared_seeds``, each seed a complete run in
    a worker process, recorded as it finishes (``compile``: each through ``torch.compile``, noted in its row)."""
    row = phase_row(phase)
    plan = [("final recipe", row.recipe, seeds)] + [(name, recipe, compared_seeds) for name, recipe in row.compared_with]
    previous = {entry["name"]: entry for entry in (_load(out) or {}).get("recipes", [])}
    entries = {name: {"name": name, "recipe": json.loads(json.dumps(recipe)), "runs": []} for name, recipe, _ in plan}
    jobs = []
    for name, recipe, wanted in plan:
        dropped = sorted({run["seed"] for run in (previous.get(name) or {}).get("runs", [])} - set(wanted))
        if dropped and _recorded(previous.get(name), recipe, dropped[0]):
            raise ValueError(f"{out} records seeds {dropped} of {name!r} that this call does not ask for: ask for "
                             f"them too, or write to another file (--out), rather than drop recorded runs")
        for seed in wanted:
            kept = _recorded(previous.get(name), recipe, seed)
            if kept:
                entries[name]["runs"].append(kept)
            else:
                jobs.append((name, run_config(recipe, seed=seed, data_dir=data_dir, device="cpu", compile=compile)))

    def write() -> dict:
        recipes = []
        for entry in entries.values():
            runs = sorted(entry["runs"], key=lambda run: run["seed"])
            recipes.append({**entry, "runs": runs, "summary": summarize(runs) if runs else None})
        record = {"command": f"make study PHASE={phase}", "phase": phase, "split": "test", "seeds": seeds,
                  "compared_seeds": compared_seeds, "recipes": recipes}
        write_json(out, record)
        return record

    def on_done(name, row_):
        entries[name]["runs"].append(row_)
        write()

    run_pool(jobs, workers, on_done, log)
    return write()


def spread(seeds: list[int], workers: int, out: Path, data_dir=None, log=print) -> dict:
    """Phases 1-3 under ``seeds`` on the test split: the spread behind each notebook's regression tolerance."""
    record = _load(out) or {"command": "make spread", "split": "test", "phases": {}}
    jobs = []
    for row in (row for row in PHASES if row.study is None):  # the phases without a seed study of their own
        entry = record["phases"].setdefault(str(row.number), {"recipe": row.recipe, "runs": []})
        entry["recipe"] = json.loads(json.dumps(row.recipe))
        done = {run["seed"] for run in entry["runs"]}
        jobs += [(row.number, run_config(row.recipe, seed=seed, data_dir=data_dir, device="cpu"))
                 for seed in seeds if seed not in done]

    def on_done(phase, row):
        record["phases"][str(phase)]["runs"].append(row)
        write_json(out, record)

    run_pool(jobs, workers, on_done, log)
    return record
