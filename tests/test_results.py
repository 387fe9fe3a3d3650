import json
from dataclasses import asdict

import matplotlib.pyplot as plt
import pytest
import torch

import utils
from utils import records as results
from utils.report import readme as report
from utils.core.loop import History
from conftest import history, runs
from utils.goal import study_verdict

KEYS = {"phase", "params", "epochs", "seed", "batch_size", "lr", "test_acc", "train_acc", "test_loss", "train_loss",
        "device", "torch", "wall_time_s"}


@pytest.mark.parametrize("params,accs,line", [
    (7753, [99.0] * 10 + [99.40, 99.45, 99.41, 99.50, 99.47],
     "met      test accuracy >= 99.40% in each of the last 5 epochs: 99.40, 99.45, 99.41, 99.50, 99.47"),
    (8000, [99.5] * 15, "not met  parameters 8,000 < 8,000"),
    (7753, [99.5] * 16, "not met  epochs 16 <= 15"),
    (7753, [99.5] * 14 + [99.39], "not met  test accuracy >= 99.40% in each of the last 5 epochs: 99.50, 99.50, "
                                  "99.50, 99.50, 99.39"),
    (7753, [99.5] * 3, "not met  test accuracy >= 99.40% in each of the last 5 epochs: 99.50, 99.50, 99.50 (only 3 "
                       "epochs run)"),  # a run shorter than the judged window never holds
], ids=["held", "8000-parameters", "16-epochs", "a-miss", "3-epochs"])
def test_verdict_met_only_when_all_three_hold(params, accs, line):
    v = utils.verdict(params, history(accs))
    assert v.met == line.startswith("met") and line in v.lines
    assert str(v).endswith("this run: held" if v.met else "this run: did not hold")


def test_record_has_the_agreed_keys():
    config = {**utils.run_config(utils.RECIPES[4], seed=1, epochs=2, device="cpu"),
              "results_dir": "x", "image_dir": "y"}
    record = utils.result_record(4, 7753, config, history([98.0, 99.0]), torch.device("cpu"))
    assert KEYS <= set(record)
    assert record["test_acc"] == [98.0, 99.0] and record["wall_time_s"] == 4.0
    assert (record["batch_size"], record["lr"], record["recipe"]["train"]["epochs"]) == (64, 0.1, 2)
    assert record["recipe"] == results.as_recorded(utils.tweak(utils.RECIPES[4], {"train.epochs": 2}))
    assert record["run"] == dict(seed=1, split="test", pipeline="fast", limit_train=None, limit_test=None)
    assert record["platform"] == utils.platform_record("cpu")
    json.dumps(record)  # JSON-ready


def test_save_run_writes_everything(tmp_path):
    fig = plt.figure()
    written = utils.save_run(tmp_path / "r", tmp_path / "i", 2, {"phase": 2}, utils.build_model(2), {"batch_norm": fig},
                             extra={"more.json": {"a": 1}})
    assert sorted(p.name for p in written) == ["batch_norm.png", "more.json", "phase2.json", "phase2.pt"]
    assert json.loads((tmp_path / "r" / "phase2.json").read_text()) == {"phase": 2}
    state = torch.load(tmp_path / "r" / "phase2.pt", weights_only=True)
    assert set(state) == set(utils.build_model(2).state_dict())
    assert (tmp_path / "i" / "batch_norm.png").read_bytes()[:4] == b"\x89PNG"


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "phase1.json"
    target.write_text("old")

    class Broken:
        def savefig(self, *args, **kwargs):
            raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        utils.save_run(tmp_path, tmp_path, 1, {"new": True}, figures={"x": Broken()})
    assert json.loads(target.read_text()) == {"new": True}  # written before the failing figure, atomically
    with pytest.raises(ZeroDivisionError):  # a writer that dies half-way, after writing part of the file
        results.write_atomically(target, lambda tmp: (open(tmp, "w").write("half"), 1 / 0))
    assert json.loads(target.read_text()) == {"new": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phase1.json"]


def test_comparison_shows_the_change_against_the_previous_phase():
    previous = utils.result_record(1, 7896, utils.run_config(utils.RECIPES[1], seed=1), history([98.0, 98.5]), "cpu")
    current = utils.result_record(2, 7974, utils.run_config(utils.RECIPES[2], seed=1), history([99.0, 99.25]), "cpu")
    text = utils.comparison_markdown(current, previous)
    assert "| change vs phase 1 | +78 | +0.75 | +1.00 | |" in text  # final, last-5 minimum: never a maximum
    assert "| original write-up, phase 2 (reported) | 7,974 | | | 99.21 |" in text  # its best, beside this run's
    assert "| **this run, phase 2** | 7,974 | 99.25 | 99.00 | 99.25 |" in text
    assert "Train minus test accuracy at the last epoch: -0.25 points (test above train, with no augmentation" in text
    alone = utils.comparison_markdown(current, None)  # phase 1's case: no phase before it
    assert "phase 1" not in alone and "| original write-up, phase 2 (reported) | 7,974 | | | 99.21 |" in alone


def test_readme_sections_are_replaced_and_missing_markers_are_an_error(tmp_path):
    readme = tmp_path / "README.md"
    sections = ("status", "run-time", "test-set", "phases", "results", "seed-study", *report.TRIAL_SECTIONS,
                "tolerances", "model-tables", "bench")
    readme.write_text("top\n" + "".join(f"<!-- {s}:start -->\nSTALE\n<!-- {s}:end -->\n" for s in sections)
                      + "bottom\n")
    (tmp_path / "phase1.json").write_text(json.dumps(
        utils.result_record(1, 7896, utils.run_config(utils.RECIPES[1], seed=1), history([98.0, 98.5]), "cpu")))
    report.update_readme(readme, tmp_path)
    text = readme.read_text()
    assert "| 1. baseline | 7,896 | 98.50 | 98.00 | 98.50 (98.88) | 2.0 s on cpu |" in text
    assert "| 2. + BatchNorm | not run yet |" in text and "| 4 | _not run yet_ |" in text
    assert ("| 4. + MultiStepLR, peak lr 0.1, an EMA of the weights, batches of 64 | 7,753 | not recorded yet |"
            in text)  # the status table
    assert "The recorded series trained for 4 s in all (phase 1 4 s;" in text
    assert "| 1 | 2026-11-27 | 4 | an earlier revision's recipe F" in text and "| not in this folder |" in text
    assert "| 9 | avgpool (GAP) 5x5 | 5 | 0 | 5 | 5 -> 1 | 10 | 28 | 0 |" in text  # phase 3 and 4 model tables
    assert "`make bench` has not been run yet" in text
    assert "`results/past/phase4_trials.json` has not been recorded yet: " \
           "`a finished round: restore results/past/phase4_trials.json from git" in text
    assert "`results/past/phase5_search.json` has not been recorded yet" in text and "| 5 | _not run yet_ |" in text
    assert "| 01_baseline | not measured yet | |" in text and "STALE" not in text
    assert "| 3. + GAP, augmentation, higher LR | [`03_gap_augmentation.ipynb`](notebooks/03_gap_augmentation.ipynb) " \
           "| model: model 3, narrower start" in text
    assert text.startswith("top\n") and text.endswith("bottom\n")
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="no '<!-- status:start -->'"):
        report.update_readme(readme, tmp_path)


def test_the_results_table_shows_the_median_epoch_not_a_slow_spell(tmp_path):
    slow = History(**{**asdict(history([98.0, 98.5, 98.7])), "seconds": [17.0, 72.5, 17.2]})
    (tmp_path / "phase1.json").write_text(json.dumps(
        utils.result_record(1, 7896, utils.run_config(utils.RECIPES[1], seed=1), slow, "cpu")))
    assert "| 17.2 s on cpu |" in report.results_table(tmp_path)
    assert report.run_time(tmp_path).endswith("Slow spells (epochs over 3x their run's median, doing the same work): "
                                              "phase 1: 1 of its epochs took 72 s against its median of 17.2 s.")


def test_the_study_verdict_judges_at_least_9_of_every_10_seeds_over_a_study_of_at_least_10():
    from utils.goal import goal_held

    def study(lows):
        return results.summarize(runs(lows))
    held = [(9, 10), (10, 10), (18, 20), (8, 10), (5, 5), (17, 20)]
    assert [goal_held(study([99.45] * n + [99.30] * (seeds - n))) for n, seeds in held] == [True] * 3 + [False] * 3
    assert study_verdict(study([99.45] * 9 + [99.39])) == (
        "held >= 99.40% in each of the last 5 epochs on 9 of 10 seeds (the target: at least 9 of every 10): target "
        "MET (last-5 minimum 99.44 +- 0.01% over seeds, worst 99.39%)")
    assert "a study of 3 seeds cannot judge it): target NOT MET" in study_verdict(study([99.45] * 3))


def test_the_seed_study_table_shows_an_earlier_study_under_its_own_label(tmp_path):
    def study(model, lows):
        return {"recipes": [{"name": "final recipe", "recipe": {**utils.RECIPES[5], "model": model}, "runs": runs(lows),
                             "summary": results.summarize(runs(lows))}]}
    (tmp_path / utils.PHASES[-1].study).write_text(json.dumps(study("8-8-8-M-s24-s24-s24", [99.45] * 9 + [99.3])))
    (tmp_path / utils.PHASES[-1].earlier[0][1]).write_text(json.dumps(study("8-8-M-s24-s24-s24-s24", [99.45, 99.3])))
    lines = report.studies_table(tmp_path).splitlines()
    assert lines[2:5] == ["| 4 | _not run yet_ | | | | | |",
                          "| 5 | phase 5's recipe | 3,616 | 10 | 9 of 10 | 99.44 +- 0.02 | 99.30 |",
                          "| 5 | round 1's pick (8-8-M-s24-s24-s24-s24) | 3,912 | 2 | 1 of 2 | 99.38 +- 0.08 | 99.30 |"]
    assert len(lines) == 5  # phase 5's goal is answered once, on the first screen (readme.status_table)
