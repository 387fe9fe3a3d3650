"""The regression checks on synthetic runs: exact where the platform is the recording one, a tolerance elsewhere."""

import json

import pytest

import utils

from utils.checks import regression
from utils.checks.regression import CLOSE, FAIL, PASS, compare, phase_runs, spread_tolerance
from utils.records import run_row

RECORDED = [98.0] * 10 + [99.45, 99.50, 99.48, 99.52, 99.51]


def statuses(checks):
    return [check.status for check in checks]


def test_exact_check_passes_only_on_identical_numbers_and_a_shorter_re_run_only_on_the_records_first_epochs():
    assert statuses(compare("run", RECORDED, list(RECORDED), exact=True, tolerance=0.2)) == [PASS]
    altered = RECORDED[:-1] + [RECORDED[-1] + 0.01]
    [check] = compare("run", RECORDED, altered, exact=True, tolerance=0.2)
    assert check.status == FAIL and "first epoch 15" in check.detail
    [check] = compare("run", RECORDED, RECORDED[:5], exact=True, tolerance=0.2, prefix=True)
    assert (check.status, check.detail) == (PASS, "exact: the first 5 of 15 epochs equal")
    [check] = compare("run", RECORDED, RECORDED[:4] + [98.01], exact=True, tolerance=0.2, prefix=True)
    assert check.status == FAIL and "first epoch 5" in check.detail
    assert statuses(compare("run", RECORDED, RECORDED[:5], exact=True, tolerance=0.2)) == [FAIL]  # not asked for
    with pytest.raises(ValueError, match="only on the recording platform"):
        compare("run", RECORDED, RECORDED[:5], exact=False, tolerance=0.2, prefix=True)


def test_tolerance_check_passes_within_fails_beyond_and_calls_a_flipped_verdict_near_the_target_too_close():
    within = RECORDED[:-1] + [RECORDED[-1] - 0.10]
    assert statuses(compare("run", RECORDED, within, exact=False, tolerance=0.10)) == [PASS, PASS, PASS]
    beyond = RECORDED[:-1] + [RECORDED[-1] - 0.11]
    checks = compare("run", RECORDED, beyond, exact=False, tolerance=0.10)
    assert statuses(checks) == [PASS, FAIL, PASS]
    assert checks[1].detail == "recorded 99.51, re-run 99.40, |diff| 0.11 > tolerance 0.10"
    near = RECORDED[:10] + [99.38, 99.50, 99.48, 99.52, 99.51]  # min 99.38: within 0.1 of 99.40
    checks = compare("run", RECORDED, near, exact=False, tolerance=0.10)
    assert statuses(checks) == [PASS, PASS, CLOSE] and not any(check.failed for check in checks)
    far = RECORDED[:10] + [99.20, 99.50, 99.48, 99.52, 99.51]  # a flipped verdict far from the target: a failure
    assert statuses(compare("run", RECORDED, far, exact=False, tolerance=0.30)) == [PASS, PASS, CLOSE]
    assert statuses(compare("run", RECORDED, far, exact=False, tolerance=0.15)) == [FAIL, PASS, FAIL]


def test_tolerance_is_three_standard_deviations_of_a_difference_of_two_runs_with_a_floor():
    tolerance, how = spread_tolerance([RECORDED, RECORDED[:-1] + [99.31]])
    # finals 99.51 and 99.31: std 0.1414; last-5 minima 99.45 and 99.31: std 0.0990; a difference: sqrt 2 x 0.1414
    assert tolerance == pytest.approx(3 * 0.2) and "2 runs" in how and "sqrt 2 x 0.141" in how
    assert spread_tolerance([RECORDED, RECORDED])[0] == regression.FLOOR
    with pytest.raises(ValueError, match="at least two seeds"):
        spread_tolerance([RECORDED])


def _write(folder, phase, acc, platform, study=None):
    folder.mkdir(exist_ok=True)
    (folder / f"phase{phase}.json").write_text(json.dumps({"seed": 1, "test_acc": acc, "platform": platform}))
    if study:
        (folder / utils.PHASES[phase - 1].study).write_text(json.dumps(study))


def test_a_notebook_check_is_its_headline_run_exact_on_the_recording_platform_else_within_its_studys_tolerance(
        tmp_path):
    seeds = {1: RECORDED, 2: RECORDED[:-1] + [99.49], 3: RECORDED[:-1] + [99.55]}
    study = {"recipes": [{"name": "final", "runs": [{"seed": s, "acc": a} for s, a in seeds.items()]}]}
    _write(tmp_path / "recorded", 4, RECORDED, {"threads": 2}, study)
    _write(tmp_path / "rerun", 4, RECORDED, {"threads": 2})
    checks = regression.check_notebook(4, tmp_path / "recorded", tmp_path / "rerun")
    assert [c.name for c in checks] == ["phase 4 headline (seed 1)"] and statuses(checks) == [PASS]
    moved = RECORDED[:-1] + [RECORDED[-1] - 0.01]
    _write(tmp_path / "rerun", 4, moved, {"threads": 2})  # the recording platform: equal, or a failure
    assert statuses(regression.check_notebook(4, tmp_path / "recorded", tmp_path / "rerun")) == [FAIL]
    _write(tmp_path / "rerun", 4, moved, {"threads": 1})  # another platform: within the study's tolerance
    assert set(statuses(regression.check_notebook(4, tmp_path / "recorded", tmp_path / "rerun"))) == {PASS}
    _write(tmp_path / "recorded", 4, RECORDED, None, study)  # a record without its platform: never exact
    _write(tmp_path / "rerun", 4, moved, None)
    assert set(statuses(regression.check_notebook(4, tmp_path / "recorded", tmp_path / "rerun"))) == {PASS}


def test_text_only_mode_masks_accuracies_and_verdict_words_and_nothing_else():
    import re

    from nbval.plugin import get_sanitize_patterns

    from utils.commands.regress import SANITIZE
    from utils.goal import verdict
    from utils.core.loop import History

    def masked(text):
        for pattern, replacement in get_sanitize_patterns(SANITIZE):
            text = re.sub(pattern, replacement, text)
        return text
    held = str(verdict(7753, History(test_acc=[99.0] * 10 + [99.41, 99.50, 99.48, 99.52, 99.51])))
    missed = str(verdict(7753, History(test_acc=[99.0] * 10 + [99.38, 99.50, 99.48, 99.52, 99.47])))
    assert held != missed and masked(held) == masked(missed)
    assert "parameters 7,753 < 8,000" in masked(held) and "epochs 15 <= 15" in masked(held)
    assert masked(str(verdict(8123, History(test_acc=[99.5] * 15)))) != masked(held)  # a broken limit still shows

    study = {"phase": 4, "recipes": [{"runs": [run_row(1, [99.5] * 15, platform={"threads": 2})]}]}
    record = {"params": 7753, "epochs": 15, "seed": 1, "platform": {"threads": 1}}
    own, drawn = (utils.verdict_block({**record, "test_acc": acc}, study) for acc in ([99.5] * 15, [99.4] * 15))
    assert "is the study's seed 1" in own and "is a draw of its own" in drawn  # where it ran decides the words
    assert masked(own) == masked(drawn)


def test_a_run_recorded_twice_counts_once_in_the_spread(tmp_path):
    headline = [99.0] * 10 + [99.1, 99.2, 99.1, 99.2, 99.1]
    other = [99.0] * 10 + [98.9, 99.0, 98.9, 99.0, 98.9]
    (tmp_path / "phase2.json").write_text(json.dumps({"test_acc": headline}))
    spread = {"phases": {"2": {"runs": [{"seed": 1, "acc": headline, "source": "an earlier revision"},
                                         {"seed": 2, "acc": other}]}}}
    (tmp_path / utils.phases.SPREAD).write_text(json.dumps(spread))
    assert phase_runs(2, tmp_path) == [headline, other]


def test_on_the_recording_platform_the_losses_are_compared_bit_for_bit_too(tmp_path):
    lists = {"test_acc": RECORDED, "train_acc": RECORDED, "test_loss": [0.5] * 15, "train_loss": [0.6] * 15}
    for folder, loss in (("recorded", 0.5), ("rerun", 0.5000001)):
        (tmp_path / folder).mkdir()
        record = {**lists, "test_loss": [loss] * 15, "seed": 1, "platform": {"threads": 2}}
        (tmp_path / folder / "phase1.json").write_text(json.dumps(record))
    spread = {"phases": {"1": {"runs": [{"acc": RECORDED[:-1] + [99.4]}]}}}  # the tolerance's evidence
    (tmp_path / "recorded" / utils.phases.SPREAD).write_text(json.dumps(spread))
    checks = regression.check_notebook(1, tmp_path / "recorded", tmp_path / "rerun")
    assert [(c.name, c.status) for c in checks] == [
        ("phase 1 headline (seed 1)", PASS), ("phase 1 headline (seed 1), train_acc", PASS),
        ("phase 1 headline (seed 1), test_loss", FAIL), ("phase 1 headline (seed 1), train_loss", PASS)]


def test_phases_1_to_3_re_run_5_epochs_on_the_recording_platform_and_phases_4_and_5_in_full():
    from utils.commands.regress import prefix_epochs
    assert [prefix_epochs(row.recipe) for row in utils.PHASES] == [5, 5, 5, None, None]


def test_a_shorter_run_of_a_constant_rate_recipe_is_the_longer_runs_beginning_bit_for_bit(mnist_root):
    import torch

    from utils.core.runs import run_config, train_recipe
    torch.set_num_threads(1)
    histories = [train_recipe(run_config(utils.RECIPES[3], seed=1, epochs=epochs, limit_train=1024, limit_test=500,
                                         device="cpu"), "cpu", progress=False)[1] for epochs in (2, 3)]
    short, long = (vars(h) for h in histories)
    per_epoch = ("train_loss", "train_acc", "test_loss", "test_acc", "lr")  # not the seconds: a clock, not the run
    assert {key: short[key] for key in per_epoch} == {key: long[key][:2] for key in per_epoch}
    assert len(long["test_loss"]) == 3 and long["test_loss"][2] != long["test_loss"][1]  # the third epoch trained on
