"""The whole-series figure: which runs become points, and the figure drawn from them (and the frontier's)."""

import json

import pytest

import utils
from utils.records import run_row as seed_row
from conftest import sized


def last5(low):
    return [98.0] * 10 + [low + 0.1, low, low + 0.2, low + 0.1, low + 0.3]


def test_every_recorded_test_run_is_one_point(tmp_path):
    for phase in (row.number for row in utils.PHASES if not row.study):
        record = {"phase": phase, "params": 7000 + phase, "test_acc": last5(99.0 + phase / 10)}
        (tmp_path / f"phase{phase}.json").write_text(json.dumps(record))
    spread = {"phases": {"1": {"runs": [{"seed": 1, "acc": last5(99.1), "source": "an earlier revision"},
                                        {"seed": 2, "acc": last5(98.5)}]}, "2": {"runs": []}, "3": {"runs": []}}}
    (tmp_path / utils.phases.SPREAD).write_text(json.dumps(spread))
    study4 = {"recipes": [{"name": "final recipe", "recipe": utils.RECIPES[4], "runs": [seed_row(1, last5(99.45))]},
                          {"name": "other", "recipe": utils.RECIPES[4], "runs": [seed_row(1, last5(99.3))]}]}
    (tmp_path / utils.PHASES[3].study).write_text(json.dumps(study4))
    study5 = {"recipes": [{"name": "phase 5 model", "recipe": {**utils.RECIPES[4], "model": "8-8-M-10-10-12"},
                           "runs": [seed_row(1, last5(99.41)), seed_row(2, last5(99.38))]}]}
    (tmp_path / utils.PHASES[4].study).write_text(json.dumps(study5))
    earlier = []  # each earlier pick's study: a point set of its own, named by its round
    for (label, file), low in zip(utils.PHASES[4].earlier, (99.3, 99.2, 99.1)):
        pick = {"recipes": [{"name": f"{label}'s pick", "recipe": {**utils.RECIPES[4], "model": "8-8-M-s24-s24-s24-s24"},
                             "runs": [seed_row(1, last5(low))]}]}
        (tmp_path / file).parent.mkdir(exist_ok=True)
        (tmp_path / file).write_text(json.dumps(pick))
        earlier.append((f"phase 5, {label}", 3912, low))
    points = utils.series_points(tmp_path)
    assert points == [("phase 1", 7001, 99.1), ("phase 1", 7001, 98.5), ("phase 2", 7002, 99.2),
                      ("phase 3", 7003, 99.3), ("phase 4", 7753, 99.45), ("phase 4, other", 7753, 99.3),
                      ("phase 5", 3564, 99.41), ("phase 5", 3564, 99.38), *earlier]
    fig = utils.plot_series(points, "series")
    ax = fig.axes[0]
    assert [line.get_ydata()[0] for line in ax.get_lines()] == [99.4]  # the target line
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(points)
    frontier = {"calibration": {"offset": -0.05}, "candidates": [sized("a", 2000, [99.30, 99.32])]}
    line = utils.plot_series(points, "series", frontier=frontier).axes[0].lines[0]  # moved onto the test scale
    assert line.get_xydata()[0].tolist() == pytest.approx([2000, 99.36])
