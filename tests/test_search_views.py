"""The views of a search's record (its table and figure), with exact values."""

import utils
from utils import records
from utils.phases import rounds_of
from utils.report.tables import powered_trials_markdown
from conftest import sized as cand


def test_a_candidate_with_one_seed_shows_no_standard_error_yet():
    record = records.load(rounds_of("search")[1])  # round 2 of the search, a powered round
    record["candidates"][0]["runs"] = record["candidates"][0]["runs"][:1]
    row = next(line for line in powered_trials_markdown(record).splitlines()
               if line.startswith(f"| {record['candidates'][0]['name']} |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[-2] == "-" and cells[-1].endswith("(1 seed: no standard error yet)")
    assert "nan" not in powered_trials_markdown(record)


def test_the_trials_figure_draws_a_search_reference_as_its_last_row_and_needs_none():
    record = {"candidates": [cand("a", 3000, [99.1, 99.2]), cand("b", 3100, [99.0, 99.3])]}
    plain = utils.plot_trials(record, "trials")
    assert [t.get_text() for t in plain.axes[0].get_yticklabels()] == ["a, 3,000 params", "b, 3,100 params"]
    searched = utils.plot_trials({**record, "reference": cand("phase 4", 7753, [99.4, 99.3])}, "search")
    assert [t.get_text() for t in searched.axes[0].get_yticklabels()][-1] == "phase 4, 7,753 params"


def test_a_round_the_driver_recorded_shows_in_the_views_of_the_rounds_before_it():
    from utils.report.analysis import _trials_choice
    record = records.load(rounds_of("trials")[3])  # phase 4's round 4
    base = next(line for line in powered_trials_markdown(record).splitlines() if line.startswith("| base |"))
    assert base.split(" | ")[1:3] == ["7,753", "1, 2, 3"]  # its parameters, and the stages it ran in
    assert base.endswith("| 99.372 | 0.014 | -0.043 +- 0.015 (16 seeds) |")
    assert "; wd+nesterov 99.371 against its mean 99.415, expected to hold;" in powered_trials_markdown(record)
    assert utils.finalists_table(record).splitlines()[2] == (
        "| base | the recipe the round started from | 16 | 99.372 | 0.014 | -0.043 +- 0.015 |")
    assert _trials_choice(record) == (
        "**Round 4 of the trials picked wd+nesterov, on validation digits, with 16 seeds.** Against the base, the "
        "recipe the round started from, seed by seed over the 16 seeds both ran: +0.043 +- 0.015 points, higher by "
        "more than two standard errors.")
