"""The views of a search's record (its table and figure) and phase 5's goal, with exact values."""

import pytest

import utils
from utils import records
from utils.goal import goal_held
from utils.phases import rounds_of
from utils.report.tables import powered_trials_markdown
from conftest import runs



def cand(name, params, lows, seeds=None):
    return {"name": name, "params": params, "runs": runs(lows, seeds)}


def test_a_candidate_with_one_seed_shows_no_standard_error_yet():
    record = records.load(rounds_of("search")[1])  # round 2 of the search, a powered round
    record["candidates"][0]["runs"] = record["candidates"][0]["runs"][:1]
    row = next(line for line in powered_trials_markdown(record).splitlines()
               if line.startswith(f"| {record['candidates'][0]['name']} |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[-2] == "-" and cells[-1].endswith("(1 seed: no standard error yet)")
    assert "nan" not in powered_trials_markdown(record)


def test_phase_5s_goal_is_9_of_10_seeds_over_a_study_of_at_least_10():
    def study(held, seeds):
        return records.summarize(runs([99.45] * held + [99.30] * (seeds - held)))
    assert goal_held(study(9, 10)) and goal_held(study(10, 10)) and goal_held(study(18, 20))
    assert not goal_held(study(8, 10)) and not goal_held(study(5, 5)) and not goal_held(study(17, 20))


def test_the_trials_figure_draws_a_search_reference_as_its_last_row_and_needs_none():
    record = {"candidates": [cand("a", 3000, [99.1, 99.2]), cand("b", 3100, [99.0, 99.3])]}
    plain = utils.plot_trials(record, "trials")
    assert [t.get_text() for t in plain.axes[0].get_yticklabels()] == ["a, 3,000 params", "b, 3,100 params"]
    searched = utils.plot_trials({**record, "reference": cand("phase 4", 7753, [99.4, 99.3])}, "search")
    assert [t.get_text() for t in searched.axes[0].get_yticklabels()][-1] == "phase 4, 7,753 params"
