import pytest

from utils.experiments import runner as run_trials, trials
from utils import records
from conftest import runs
from utils.report.tables import trials_markdown


def candidate(name, lows):
    return {"name": name, "levers": f"lever {name}", "recipe": {}, "runs": runs(lows),
            "summary": records.summarize(runs(lows))}


def test_run_row_and_summary():
    row = records.run_row(3, [99.0] * 10 + [99.3, 99.5, 99.4, 99.6, 99.45], 12.34, {"device": "cpu"})
    assert (row["min_last"], row["final"], row["best"], row["seconds"]) == (99.3, 99.45, 99.6, 12.3)
    assert row["first_epoch_at_target"] == 12 and records.run_row(1, [99.0] * 15)["first_epoch_at_target"] is None
    s = records.summarize([row, {**row, "min_last": 99.5, "final": 99.55}])
    assert (s["worst_min_last"], s["seeds"], s["held"]) == (99.3, 2, 1) and s["mean_final"] == pytest.approx(99.5)
    assert s["mean_min_last"] == pytest.approx(99.4) and s["se_min_last"] == pytest.approx(0.1)


def test_the_trials_table_marks_the_pick(tmp_path):
    record = {"seeds": [1, 2, 3], "split": trials.SPLIT, "rule": "the best worst seed", "complete": True,
              "candidates": [candidate("A", [99.2, 99.3, 99.25]), candidate("B", [99.45, 99.46, 99.44])],
              "picked": "B", "reason": "B has the best worst-seed last-5 minimum"}
    table = trials_markdown(record)
    assert "| **B** | lever B | 99.45 / 99.45 | 99.46 / 99.46 | 99.44 / 99.44 | 99.44 |" in table
    assert "last 10,000 training digits" in table and "Picked: **B**" in table


def test_a_recorded_run_is_reused_only_for_the_same_recipe_and_seed():
    entry = {"recipe": {"lr": 0.1, "milestones": [8, 12]}, "runs": [{"seed": 1}]}
    assert run_trials._recorded(entry, {"lr": 0.1, "milestones": (8, 12)}, 1) == {"seed": 1}
    assert run_trials._recorded(entry, {"lr": 0.1, "milestones": (8, 12)}, 2) is None
    assert run_trials._recorded(entry, {"lr": 0.05, "milestones": (8, 12)}, 1) is None


def test_a_paired_difference_is_zero_one_or_two_standard_errors_from_zero_and_every_view_words_it_alike():
    assert [trials.apart({"mean": m, "se": 0.02}) for m in (0.0, -0.02, 0.03, 0.04, -0.05)] == [0, 0, 1, 1, 2]
    assert [trials.apart_words({"mean": m, "se": 0.02}) for m in (-0.02, 0.03, -0.03, 0.05)] == [
        "no detectable difference (within one standard error)",
        "higher by more than one standard error, less than two",
        "lower by more than one standard error, less than two",
        "higher by more than two standard errors"]
