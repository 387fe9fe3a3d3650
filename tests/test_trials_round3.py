"""Round 3 of phase 4's trials: the levers, the stages and the decision, with exact values; and the two new training
paths (the average restarted, BatchNorm statistics recomputed) on a slice."""

import pytest
import torch

from utils import records
from utils.core.models import build_model
from utils.core.runs import run_config, train_recipe
from utils.core.loop import precise_bn
from utils.experiments import round3
from utils.phases import rounds_of
from utils.report.recipes import recipe_changes
from conftest import fake_pool, runs


def cand(levers, lows, seeds=None):
    return {"name": round3.name_of(levers), "levers": list(levers), "runs": runs(lows, seeds)}


def test_the_base_is_round_2s_pick_as_recorded_and_levers_add_the_keys_the_base_lacks():
    trials2 = records.load(rounds_of("trials")[1])
    picked = next(c for c in trials2["candidates"] if c["name"] == trials2["picked"])
    assert picked["recipe"] == records.as_recorded(round3.BASE) and round3.recipe(()) == round3.BASE
    assert recipe_changes(round3.BASE, round3.recipe(("ema-restart", "precise-bn"))) == [
        "train.ema_restart: - -> 8", "train.bn_refresh: - -> 10000"]


def test_stage_2_combines_the_levers_that_gain_more_than_one_standard_error_when_there_are_two():
    stage1 = [cand((), [99.40, 99.38, 99.42, 99.40]),
              cand(("batch-64",), [99.48, 99.46, 99.50, 99.47]),     # +0.0775 +- 0.0048: helps, the best single
              cand(("batch-32",), [99.45, 99.44, 99.47, 99.45]),     # helps, but the worse batch size: dropped
              cand(("precise-bn",), [99.43, 99.41, 99.45, 99.44]),   # +0.0325 +- 0.0025: helps
              cand(("ema-0.998",), [99.50, 99.30, 99.50, 99.30]),    # +0.00 +- 0.07: no detectable gain
              cand(("wd+nesterov",), [99.39, 99.37, 99.41, 99.39])]  # -0.01: worse
    assert round3.combinations(stage1) == [("batch-64", "precise-bn"), ("batch-64", "lr-0.05")]
    stage1 = [cand((), [99.40] * 4), cand(("precise-bn",), [99.43, 99.41, 99.45, 99.44]),
              cand(("batch-64",), [99.30] * 4)]
    assert round3.combinations(stage1) == []  # one lever helps, and the best is no batch: nothing to combine


def test_survivors_are_within_two_paired_standard_errors_of_the_best_and_finalists_the_fewest_levers_tied_with_it():
    best = cand(("batch-64",), [99.50, 99.48, 99.52, 99.50])
    near = cand(("precise-bn",), [99.50, 99.40, 99.52, 99.44])  # -0.035 +- 0.0236: within two
    far = cand((), [99.40, 99.39, 99.41, 99.40])                 # -0.10 +- 0.0041: out
    assert round3.survivors([far, near, best]) == ["precise-bn", "batch-64"]
    best = cand(("batch-64", "precise-bn"), [99.50] * 8)
    single = cand(("batch-64",), [99.53, 99.45] * 4)  # -0.01 +- 0.0151: tied
    base = cand((), [99.40] * 8)
    assert round3.finalists([base, single, best]) == ["batch-64+precise-bn", "batch-64"]


def test_the_decision_prefers_fewer_levers_within_one_standard_error_and_reports_any_gain_over_round_2():
    best = cand(("batch-64", "precise-bn"), [99.50] * 16)
    single = cand(("batch-64",), [99.54, 99.44] * 8)  # -0.01 +- 0.0129: tied, and simpler
    base = cand((), [99.44, 99.46, 99.45, 99.45, 99.44, 99.46, 99.45, 99.45])
    decision = round3.decide([best, single], base)
    assert decision["picked"] == "batch-64" and decision["beats_round2"] is True
    assert decision["vs_round2"]["seeds"] == 8 and decision["vs_round2"]["mean"] == pytest.approx(0.04)
    assert decision["reason"].startswith("batch-64+precise-bn scores best (99.500%); batch-64 (99.490%")
    assert decision["reason"].endswith("over 8 seeds: better by more than one standard error")
    base = cand((), [99.45] * 16)  # the pick round 2's own, or tied with it: no detectable gain
    decision = round3.decide([base], base)
    assert decision["picked"] == "base" and decision["beats_round2"] is False
    assert decision["reason"].endswith("; the pick is round 2's pick itself: no detectable gain")
    tied = round3.decide([cand(("batch-64",), [99.46, 99.44] * 8), base], base)  # +0.000 +- 0.0025: no gain
    assert tied["picked"] == "base" and tied["reason"].endswith("the pick is round 2's pick itself: no detectable gain")
    above = round3.decide([cand(("batch-64",), [99.47, 99.45] * 8)], base)  # +0.01 +- 0.0026, alone in stage 4
    assert above["beats_round2"] is True and above["reason"].endswith("over 16 seeds: better by more than one "
                                                                      "standard error")


def slice_run(levers):
    config = run_config(round3.recipe(levers), seed=1, epochs=2, limit_train=1000, limit_test=500, device="cpu")
    return train_recipe(config, "cpu", progress=False)


def test_a_restarted_average_and_recomputed_statistics_change_what_is_evaluated():
    torch.set_num_threads(1)
    base_model, base = slice_run(())
    restarted_model, restarted = slice_run(("ema-restart",))
    refreshed_model, refreshed = slice_run(("precise-bn",))
    assert base.train_loss == restarted.train_loss == refreshed.train_loss  # the training itself is the same
    assert restarted.test_acc == base.test_acc  # the restart comes after epoch 8: none in a 2-epoch run
    assert refreshed.test_acc != base.test_acc
    bn = dict(refreshed_model.named_buffers())
    assert bn["1.num_batches_tracked"].item() == 1  # one batch of 1,000 digits: the slice's training digits


def test_precise_bn_leaves_the_model_it_is_given_untouched():
    model = build_model(3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    refreshed = precise_bn(model, [(torch.randn(8, 1, 28, 28), torch.zeros(8, dtype=torch.long))])
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not torch.equal(refreshed.state_dict()["1.running_mean"], before["1.running_mean"])


def test_the_trials_run_their_four_stages_compiled_and_resume(tmp_path, monkeypatch):
    from utils.experiments import runner
    gain = {"batch-64": 0.08, "precise-bn": 0.03, "ema-restart": 0.02, "lr-0.05": 0.01}
    trained = []

    def accuracy(name, config):
        trained.append((name, config["seed"], config["split"], config["compile"]))
        low = 99.40 + sum(gain.get(lever, -0.05) for lever in name.split("+") if lever != "base")
        low += (config["seed"] % 3) / 100 * (name != "base")  # a spread over seeds: paired standard errors > 0
        return [99.0] * 10 + [low] * 5
    monkeypatch.setattr(runner, "run_pool", fake_pool(accuracy))
    out = tmp_path / rounds_of("trials")[2]
    record = runner.round3(2, out, log=lambda *_: None)
    assert record["stages"]["1"] == ["base", *round3.SINGLES]
    assert record["stages"]["2"] == ["batch-64+precise-bn+ema-restart", "batch-64+lr-0.05"]
    assert record["stages"]["3"] == ["batch-64+precise-bn+ema-restart"]
    assert record["stages"]["4"] == ["batch-64+precise-bn+ema-restart"]
    assert record["picked"] == "batch-64+precise-bn+ema-restart" and record["beats_round2"] is True
    assert len(trained) == 8 * 4 + 2 * 4 + 4 + 8 and all(split == "validation" and compiled
                                                          for _, _, split, compiled in trained)
    assert record["compiled"] is True and record["complete"] is True
    trained.clear()
    assert runner.round3(2, out, log=lambda *_: None)["picked"] == record["picked"] and trained == []
