"""Round 2 of phase 4's trials: the levers, the paired statistics and the two-stage rule, with exact values."""

import pytest
import torch

import utils
from utils import recipes, records
from utils.experiments import round1, round2, runner as run_trials, trials
from utils.core.runs import make_optimizer
from utils.core.loop import make_ema
from utils.report.recipes import recipe_changes


def runs(lows, seeds=None):
    seeds = seeds or range(1, len(lows) + 1)
    return [records.run_row(seed, [99.0] * 10 + [low] * 5, 1.0, {}) for seed, low in zip(seeds, lows)]


def test_each_lever_changes_one_thing_from_the_base():
    base = round2.BASE
    assert base == round1.CANDIDATES["C"]
    changes = {lever: recipe_changes(base, round2.recipe((lever,))) for lever in round2.LEVERS}
    assert changes == {
        "drops-5-10": ["schedule.milestones: (8, 12) -> (5, 10)"],
        "cosine": ["schedule.name: multistep -> cosine", "schedule.milestones: (8, 12) -> -",
                   "schedule.gamma: 0.1 -> -"],
        "ema": ["train.ema: - -> 0.999"],
        "smooth": ["train.label_smoothing: 0.0 -> 0.1"],
        "nesterov": ["optimizer.nesterov: False -> True"],
        "wd": ["optimizer.weight_decay: 0.0 -> 0.0001"],
    }


def test_paired_difference_and_its_standard_error():
    a, b = runs([99.50, 99.40, 99.45, 99.55]), runs([99.40, 99.40, 99.40, 99.40])
    d = trials.paired(a, b)  # differences 0.10, 0.00, 0.05, 0.15: mean 0.075, sd 0.0645, se 0.0323
    assert d["seeds"] == 4 and d["mean"] == pytest.approx(0.075) and d["se"] == pytest.approx(0.032275, abs=1e-6)
    s = trials.score(a + runs([90.0], seeds=[9]), seeds=(1, 2, 3, 4))  # seed 9 is not among the seeds scored
    assert (s["seeds"], round(s["mean"], 4), round(s["se"], 4)) == (4, 99.475, 0.0323)


def stage1(lows_by_levers):
    return [{"levers": list(levers), "runs": runs(lows)} for levers, lows in lows_by_levers.items()]


def test_stage2_takes_the_base_the_three_best_levers_and_the_helpful_combinations():
    first = stage1({(): [99.30] * 4, ("drops-5-10",): [99.36] * 4, ("cosine",): [99.34] * 4,
                    ("ema",): [99.40] * 4, ("smooth",): [99.31] * 4, ("nesterov",): [99.29] * 4,
                    ("wd",): [99.25] * 4})
    # helpful: ema +0.10, drops +0.06, cosine +0.04 (dropped: the worse schedule lever), smooth +0.01
    assert round2.stage2_candidates(first) == [(), ("ema",), ("drops-5-10",), ("cosine",), ("ema", "drops-5-10"),
                                               ("ema", "drops-5-10", "smooth")]


def test_stage2_has_no_combination_when_one_lever_or_none_helps():
    first = stage1({(): [99.30] * 4, ("ema",): [99.35] * 4, ("smooth",): [99.20] * 4, ("wd",): [99.10] * 4,
                    ("nesterov",): [99.00] * 4})
    assert round2.stage2_candidates(first) == [(), ("ema",), ("smooth",), ("wd",)]


def finalist(name, levers, lows):
    return {"name": name, "levers": levers, "runs": runs(lows)}


def test_the_powered_rule_picks_the_fewest_levers_within_one_standard_error():
    best = finalist("ema+smooth", ["ema", "smooth"], [99.50, 99.52, 99.48, 99.50, 99.51, 99.49, 99.50, 99.50])
    close = finalist("ema", ["ema"], [99.50, 99.40, 99.55, 99.45, 99.55, 99.45, 99.50, 99.52])  # -0.01 +- 0.02
    far = finalist("base", [], [99.30] * 8)
    name, reason, comparisons = round2.pick([far, close, best])
    assert name == "ema" and "within one standard error and has fewer levers" in reason
    assert comparisons["base"]["tie"] is False and comparisons["ema+smooth"]["vs_best"]["mean"] == 0


def test_the_powered_rule_keeps_the_best_when_the_difference_is_real():
    best = finalist("ema", ["ema"], [99.50] * 8)
    worse = finalist("base", [], [99.40, 99.42, 99.38, 99.40, 99.41, 99.39, 99.40, 99.40])
    name, reason, _ = round2.pick([worse, best])
    assert name == "ema" and reason == "ema has the best mean last-5 minimum, 99.500%"


def test_ema_averages_weights_and_batchnorm_buffers():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    ema = make_ema(model, 0.9)
    ema.update_parameters(model)  # the first update copies
    with torch.no_grad():
        model[0].weight.add_(1.0)
        model[1].running_mean.fill_(1.0)
    ema.update_parameters(model)
    assert torch.allclose(ema.module[0].weight, model[0].weight - 0.9, atol=1e-6)
    assert torch.allclose(ema.module[1].running_mean, torch.full((2,), 0.1))


def test_the_cosine_schedule_anneals_to_zero_once_per_step():
    config = recipes.tweak(round2.recipe(("cosine",)), {"train.epochs": 2})
    optimizer, scheduler, per_batch = make_optimizer(torch.nn.Linear(2, 2), config, steps_per_epoch=5)
    lrs = []
    for _ in range(10):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert per_batch and lrs[0] == 0.1 and lrs[5] == pytest.approx(0.05)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)


def test_round2_resumes_from_its_file_and_runs_stage2_from_stage1(tmp_path, monkeypatch):
    """Stage 1 and 2 are run in order, the recorded runs are kept, and the record holds the decision."""
    trained = []

    def fake_pool(jobs, workers, on_done, log):
        for name, config in jobs:
            trained.append((name, config["seed"]))
            low = {"base": 99.30, "ema": 99.45, "smooth": 99.35}.get(name, 99.28 if "+" not in name else 99.45)
            on_done(name, records.run_row(config["seed"], [99.0] * 10 + [low] * 5, 1.0, {}))

    monkeypatch.setattr(run_trials, "run_pool", fake_pool)
    out = tmp_path / "round2.json"
    record = run_trials.round2(2, out, log=lambda *_: None)
    assert len(trained) == 7 * 4 + 4 * 4 + 8  # stage 1; base and 3 levers on seeds 5-8; one combination on 1-8
    assert record["stages"]["2"] == ["base", "ema", "smooth", "drops-5-10", "ema+smooth"]
    assert record["complete"] and record["picked"] == "ema"
    trained.clear()
    again = run_trials.round2(2, out, log=lambda *_: None)
    assert trained == [] and again["picked"] == "ema"


def test_a_study_runs_the_phases_recipe_and_its_comparison_and_resumes(tmp_path, monkeypatch):
    trained = []

    def fake_pool(jobs, workers, on_done, log):
        for name, config in jobs:
            trained.append((name, config["seed"], config["split"]))
            on_done(name, records.run_row(config["seed"], [99.0] * 10 + [99.4 + config["seed"] / 100] * 5))

    monkeypatch.setattr(run_trials, "run_pool", fake_pool)
    out = tmp_path / "study.json"
    record = run_trials.study(4, [1, 2, 3], [1, 2], 2, out, log=lambda *_: None)
    assert trained == [("final recipe", 1, "test"), ("final recipe", 2, "test"), ("final recipe", 3, "test"),
                       ("original write-up's recipe", 1, "test"), ("original write-up's recipe", 2, "test")]
    final, other = record["recipes"]
    assert final["recipe"] == records.as_recorded(utils.RECIPES[4]) and final["summary"]["held"] == 3
    assert other["recipe"] == records.as_recorded(utils.WRITE_UP_PHASE4) and other["summary"]["seeds"] == 2
    trained.clear()
    run_trials.study(4, [1, 2, 3, 4], [1, 2], 2, out, log=lambda *_: None)
    assert trained == [("final recipe", 4, "test")]  # the recorded seeds are kept


@pytest.mark.parametrize("levers", [(), ("ema",)])
def test_the_model_returned_is_the_one_evaluated(levers, mnist_root):
    config = utils.run_config(round2.recipe(levers), epochs=1, seed=1, limit_train=512,
                              limit_test=300, data_dir=mnist_root, device="cpu")
    model, history = utils.train_recipe(config, "cpu", progress=False)
    _, eval_batches = utils.make_loaders(config, "cpu")
    assert utils.evaluate(model, eval_batches)[1] == history.test_acc[-1]
    assert isinstance(model, torch.nn.Sequential)  # the plain model (for an EMA, its averaged copy), ready to save


def test_a_study_refuses_to_drop_recorded_seeds(tmp_path, monkeypatch):
    monkeypatch.setattr(run_trials, "run_pool", lambda jobs, workers, on_done, log: [
        on_done(name, records.run_row(config["seed"], [99.5] * 15)) for name, config in jobs])
    out = tmp_path / "study.json"
    run_trials.study(4, [1, 2, 3], [1], 2, out, log=lambda *_: None)
    with pytest.raises(ValueError, match=r"records seeds \[3\] of 'final recipe'"):
        run_trials.study(4, [1, 2], [1], 2, out, log=lambda *_: None)
