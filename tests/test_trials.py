import pytest

import utils
from utils.experiments import round1, runner as run_trials, trials
from utils import records


def candidate(name, lows):
    runs = [records.run_row(seed, [99.0] * 10 + [low] * 5, 1.0, {}) for seed, low in enumerate(lows, start=1)]
    return {"name": name, "levers": f"lever {name}", "recipe": {}, "runs": runs, "summary": records.summarize(runs)}


def test_run_row_and_summary():
    row = records.run_row(3, [99.0] * 10 + [99.3, 99.5, 99.4, 99.6, 99.45], 12.34, {"device": "cpu"})
    assert (row["min_last"], row["final"], row["best"], row["seconds"]) == (99.3, 99.45, 99.6, 12.3)
    assert row["first_epoch_at_target"] == 12 and records.run_row(1, [99.0] * 15)["first_epoch_at_target"] is None
    s = records.summarize([row, {**row, "min_last": 99.5, "final": 99.55}])
    assert (s["worst_min_last"], s["seeds"], s["held"]) == (99.3, 2, 1) and s["mean_final"] == pytest.approx(99.5)
    assert s["mean_min_last"] == pytest.approx(99.4) and s["se_min_last"] == pytest.approx(0.1)


def test_the_best_worst_seed_wins():
    name, reason = round1.pick([candidate("A", [99.2, 99.3, 99.25]), candidate("B", [99.45, 99.46, 99.44])])
    assert name == "B" and "best worst-seed last-5 minimum, 99.44%" in reason


def test_a_simpler_candidate_within_the_seed_spread_wins():
    noisy = candidate("A", [99.40, 99.60, 99.50])  # std 0.10
    best = candidate("B", [99.45, 99.46, 99.47])
    name, reason = round1.pick([noisy, best])
    assert name == "A" and "within the seed spread (0.10) and is simpler" in reason


def test_the_trials_table_marks_the_pick(tmp_path):
    record = {"seeds": [1, 2, 3], "split": trials.SPLIT, "rule": round1.RULE, "complete": True,
              "candidates": [candidate("A", [99.2, 99.3, 99.25]), candidate("B", [99.45, 99.46, 99.44])]}
    record["picked"], record["reason"] = round1.pick(record["candidates"])
    table = utils.trials_markdown(record)
    assert "| **B** | lever B | 99.45 / 99.45 | 99.46 / 99.46 | 99.44 / 99.44 | 99.44 |" in table
    assert "last 10,000 training digits" in table and "Picked: **B**" in table


def test_a_recorded_run_is_reused_only_for_the_same_recipe_and_seed():
    entry = {"recipe": {"lr": 0.1, "milestones": [8, 12]}, "runs": [{"seed": 1}]}
    assert run_trials._recorded(entry, {"lr": 0.1, "milestones": (8, 12)}, 1) == {"seed": 1}
    assert run_trials._recorded(entry, {"lr": 0.1, "milestones": (8, 12)}, 2) is None
    assert run_trials._recorded(entry, {"lr": 0.05, "milestones": (8, 12)}, 1) is None


def sized(name, lows, params):
    return {**candidate(name, lows), "params": params}


def test_the_smallest_candidate_that_holds_phase_4s_level_is_picked():
    reference = candidate("phase 4 (C)", [99.33, 99.41])  # worst 99.33, std 0.057
    big, held, small = (sized("big", [99.40, 99.42], 4600), sized("mid", [99.30, 99.31], 3600),
                        sized("s", [99.1, 99.2], 2500))
    name, reason = round1.pick_smallest([big, held, small], reference)
    assert name == "mid" and "3,600 parameters" in reason and "99.30% against 99.33%" in reason


def test_when_none_holds_the_best_score_is_picked_and_said():
    reference = candidate("phase 4 (C)", [99.40, 99.41])
    name, reason = round1.pick_smallest([sized("a", [99.1, 99.2], 3000), sized("b", [99.2, 99.25], 2000)], reference)
    assert name == "b" and reason.startswith("no candidate holds phase 4's level (99.40%)")


def test_a_paired_difference_is_zero_one_or_two_standard_errors_from_zero_boundaries_included_below():
    from utils.experiments.trials import apart
    assert [apart({"mean": m, "se": 0.02}) for m in (0.0, -0.02, 0.03, 0.04, -0.05)] == [0, 0, 1, 1, 2]


def test_every_view_words_a_paired_difference_alike_with_its_direction_once_it_is_detectable():
    from utils.experiments.trials import apart_words
    assert [apart_words({"mean": m, "se": 0.02}) for m in (-0.02, 0.03, -0.03, 0.05)] == [
        "no detectable difference (within one standard error)",
        "higher by more than one standard error, less than two",
        "lower by more than one standard error, less than two",
        "higher by more than two standard errors"]
