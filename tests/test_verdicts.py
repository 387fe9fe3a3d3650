"""What a reader meets first: the verdict block, the study and finalists tables, the test-set table and the README's
first screen, each read from its records (change the record and the line changes); and each notebook's output stays
within its budget of lines."""

import json

import pytest

import utils
from utils.report import readme, verdicts
from conftest import cells, runs


def study(lows, phase=4):
    """``phase``'s study of its final recipe, each run on 1 thread."""
    rows = [{**row, "platform": {"threads": 1}} for row in runs(lows)]
    return {"phase": phase, "recipes": [{"name": "final recipe", "recipe": utils.RECIPES[phase], "runs": rows}]}


def record(last5, phase=4, params=7753):
    """The notebook's own run, seed 1 on 2 threads."""
    return {"phase": phase, "params": params, "epochs": 15, "seed": 1, "test_acc": [99.0] * 10 + list(last5),
            "platform": {"threads": 2}}


def test_the_verdict_block_states_the_study_first_then_the_limits_then_this_run_and_follows_its_record():
    block = verdicts.verdict_block(record([99.42, 99.39, 99.42, 99.43, 99.43]), study([99.45] * 8 + [99.30] * 2))
    assert block.splitlines() == [
        "held >= 99.40% in each of the last 5 epochs on 8 of 10 seeds (the target: at least 9 of every 10): target "
        "NOT MET (last-5 minimum 99.42 +- 0.02% over seeds, worst 99.30%)",
        "met      parameters 7,753 < 8,000; epochs 15 <= 15",
        "this notebook's run, seed 1 on 2 threads, is a draw of its own (the study's runs used 1 thread each): last 5 "
        "epochs 99.42, 99.39, 99.42, 99.43, 99.43; this run: did not hold"]
    nine = verdicts.verdict_block({**record([99.45] * 5), "params": 8001}, study([99.45] * 9 + [99.30]))
    assert nine.startswith("held >= 99.40% in each of the last 5 epochs on 9 of 10 seeds") and "target MET" in nine
    assert nine.splitlines()[1] == "not met  parameters 8,001 < 8,000; epochs 15 <= 15"  # a broken limit shows
    assert nine.endswith("this run: held")


def test_the_first_screen_answer_is_the_study_and_how_sure_it_is_with_no_run_of_the_notebook_yet():
    assert verdicts.study_answer(study([99.45] * 8 + [99.30] * 2)).splitlines() == [
        "held >= 99.40% in each of the last 5 epochs on 8 of 10 seeds (the target: at least 9 of every 10): target "
        "NOT MET (last-5 minimum 99.42 +- 0.02% over seeds, worst 99.30%)",
        "with 95% confidence a seed holds at least 49% of the time (one-sided Clopper-Pearson, 8 of 10); the mean "
        "last-5 minimum, 99.42%, sits 0.32 seed standard deviations above 99.40% (9 of every 10 needs about 1.28 "
        "where the spread is normal)"]
    assert verdicts.study_answer(study([99.45] * 10)).splitlines()[1].endswith(
        "the mean last-5 minimum, 99.45%, is +0.05 points from 99.40%, every seed alike")  # no spread to divide by


GOAL_ROW = next(row for row in utils.PHASES if row.goal)


def sized(lows, model):
    return {**study(lows, GOAL_ROW.number)["recipes"][0], "recipe": {"model": model}}


def test_phase_5s_block_answers_its_size_goal_over_every_size_its_study_ran():
    held, missed = [99.45] * 9 + [99.3], [99.45] * 8 + [99.3] * 2
    pick, within = GOAL_ROW.recipe["model"], "8-d8-M-s30-s30-s30"  # 3,948 parameters
    both = {"phase": GOAL_ROW.number, "recipes": [sized(held, pick), sized(held, within)]}
    block = verdicts.verdict_block(record([99.45] * 5, GOAL_ROW.number, GOAL_ROW.params), both)
    assert (f"phase {GOAL_ROW.number}'s goal, at most 4,000 parameters (stretch goal: 3,000), holding on at least 9 of "
            "10 seeds, is met by 3,948 parameters; the stretch goal's 3,000 is not.") in block.splitlines()
    stretch = {**both, "recipes": [sized(missed, pick), sized(held, "8-d8-M-s16-s16-s16")]}  # 2,016 parameters
    assert verdicts.goal_answer(stretch).endswith("is met** by 2,016 parameters, within the stretch goal's size too.")
    missing = {**both, "recipes": [sized(held, pick), sized(missed, within)]}
    assert verdicts.goal_answer(missing) == (
        "**The goal, at most 4,000 parameters (stretch goal: 3,000), holding on at least 9 of 10 seeds, is not met.** "
        f"The smallest model measured to hold on 9 of 10 is {GOAL_ROW.params:,} parameters.")
    before = utils.phases.phase(GOAL_ROW.number - 1)
    assert verdicts.goal_answer({**both, "recipes": [sized(missed, pick)]}).endswith(
        f"is phase {before.number}'s {before.params:,} (its own study): no smaller size studied held.")


def test_the_study_table_marks_each_miss_and_shows_both_numbers_per_seed():
    table = verdicts.study_table(study([99.46, 99.30]))
    assert table.splitlines()[2] == "| final recipe | last-5 min | 99.46 | **99.30** | 1 of 2 | 99.38 +- 0.08 |"
    assert table.splitlines()[3] == "| | final | 99.46 | 99.30 | | |"


def test_the_finalists_table_is_the_last_stage_against_the_pick_and_the_rounds_base_where_the_rule_weighs_it():
    rec = {"stages": {"1": ["a", "b", "c"], "2": ["a", "b"]}, "picked": "a", "reason": "a is best",
           "candidates": [{"name": "a", "what": "A", "runs": runs([99.5, 99.4])},
                          {"name": "b", "what": "B", "runs": runs([99.4, 99.4])},
                          {"name": "c", "what": "C", "runs": runs([99.0, 99.0])}]}
    assert verdicts.finalists_table(rec).splitlines()[2:] == [
        "| **a** (picked) | A | 2 | 99.450 | 0.050 | - |", "| b | B | 2 | 99.400 | 0.000 | -0.050 +- 0.050 |", "",
        "Decision: a is best."]
    rec = {"stages": {"1": ["base", "a"], "2": ["a"]}, "picked": "a", "reason": "a alone", "vs_round2": {},
           "candidates": [{"name": "base", "what": "round 2's pick", "runs": runs([99.4, 99.3])},
                          {"name": "a", "what": "A", "runs": runs([99.5, 99.4, 99.45])}]}
    assert verdicts.finalists_table(rec).splitlines()[2:4] == [
        "| **a** (picked) | A | 3 | 99.450 | 0.029 | - |",
        "| base | round 2's pick | 2 | 99.350 | 0.050 | -0.100 +- 0.000 |"]  # over the 2 seeds both ran
    del rec["vs_round2"]
    assert "| base |" not in verdicts.finalists_table(rec)


def test_the_first_screen_says_no_phase_meets_the_target_until_one_does(tmp_path):
    for row in utils.PHASES:
        (tmp_path / f"phase{row.number}.json").write_text(json.dumps(record([99.45] * 5, row.number, row.params)))
        if row.study:
            (tmp_path / row.study).write_text(json.dumps(study([99.45] * 8 + [99.3] * 2, row.number)))
    unstudied = [str(row.number) for row in utils.PHASES if not row.study]
    (tmp_path / utils.phases.SPREAD).write_text(json.dumps({"phases": {n: {"runs": []} for n in unstudied}}))
    first = readme.status_table(tmp_path)
    assert first.startswith("**No phase meets the target yet.**")
    assert ("| 4. + MultiStepLR, peak lr 0.1, an EMA of the weights, batches of 64 | 7,753 | held on 8 of 10 seeds, "
            "mean last-5 minimum 99.42 +- 0.02%: **NOT MET** (with 95% confidence a seed holds at least 49% of the time, "
            "the mean 0.3 seed standard deviations above 99.40%) |") in first
    assert "| 1. baseline | 7,896 | no seed study: not judged |" in first  # one run that held proves nothing
    (tmp_path / utils.PHASES[3].study).write_text(json.dumps(study([99.45] * 9 + [99.3], 4)))
    assert readme.status_table(tmp_path).startswith("**Phase 4 meets the target; the others do not.**")
    pick, within = (sized(lows, model) for lows, model in (([99.45] * 9 + [99.3], GOAL_ROW.recipe["model"]),
                                                            ([99.45] * 8 + [99.3] * 2, "8-d8-M-s30-s30-s30")))
    goal = {"phase": GOAL_ROW.number, "recipes": [pick, within]}
    (tmp_path / GOAL_ROW.study).write_text(json.dumps(goal))
    first = readme.status_table(tmp_path)
    assert first.startswith(f"**Phases 4 and {GOAL_ROW.number} meet the target; the others do not.**")
    answer = verdicts.goal_answer(goal, f"Phase {GOAL_ROW.number}'s goal")  # the pick holds, the size within misses
    assert first.endswith(f"\n\n{answer}") and answer.startswith(f"**Phase {GOAL_ROW.number}'s goal, at most 4,000 ")


# What a reader scrolls through: text output lines (images excluded) per notebook, a budget each.
OUTPUT_BUDGET = {row.number: 110 if row.study else 60 for row in utils.PHASES}


def output_lines(phase) -> int:
    lines = 0
    for cell in cells(phase):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                continue
            text = out.get("text") or data.get("text/markdown") or data.get("text/plain") or ""
            lines += len(text.splitlines())
    return lines


@pytest.mark.parametrize("row", utils.PHASES, ids=lambda row: row.notebook)
def test_each_notebook_stays_within_its_budget_of_output_lines(row):
    assert 10 < output_lines(row.number) <= OUTPUT_BUDGET[row.number]


def test_how_sure_states_the_one_sided_clopper_pearson_bound_and_the_margin_in_spreads():
    from math import comb

    from utils.goal import hold_rate_bound, how_sure
    assert hold_rate_bound(10, 10) == pytest.approx(0.05 ** 0.1)  # all held: rate^10 = 5%
    assert hold_rate_bound(0, 10) == 0.0
    for held, seeds in ((18, 20), (9, 10), (7, 10)):
        rate = hold_rate_bound(held, seeds)
        tail = sum(comb(seeds, k) * rate ** k * (1 - rate) ** (seeds - k) for k in range(held, seeds + 1))
        assert tail == pytest.approx(0.05, abs=1e-9)
    assert round(hold_rate_bound(18, 20), 3) == 0.717 and round(hold_rate_bound(9, 10), 3) == 0.606
    summary = {"held": 18, "seeds": 20, "mean_min_last": 99.469, "std_min_last": 0.045}
    assert how_sure(summary) == (
        "with 95% confidence a seed holds at least 72% of the time (one-sided Clopper-Pearson, 18 of 20); the mean "
        "last-5 minimum, 99.47%, sits 1.53 seed standard deviations above 99.40% (9 of every 10 needs about 1.28 "
        "where the spread is normal)")
