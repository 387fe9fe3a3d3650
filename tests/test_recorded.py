"""The committed record: results/, image/, the executed notebooks and the README agree with each other, with the
recipes in utils/recipes.py and with the code. These fail until `make run` (and `make trials`, `make spread`) have
produced them, and again whenever one is edited without the others."""

import json
import re

import nbformat
import pytest
import torch

import utils
from utils import records
from utils.experiments import round3, trials
from utils.report import readme as report
from utils.goal import judged
from utils.phases import SPREAD, rounds_of
from utils.records import as_recorded
from utils.checks.regression import phase_runs, spread_tolerance
from utils.core.loop import History
from conftest import NOTEBOOKS, cells
from utils.recipes import WRITE_UP_PHASE4

REPO_ROOT = utils.project_root()
RESULTS, IMAGES = REPO_ROOT / "results", REPO_ROOT / "image"
PHASES = tuple(NOTEBOOKS)
STUDIED = tuple(row.number for row in utils.PHASES if row.study)
UNSTUDIED = tuple(row.number for row in utils.PHASES if not row.study)


def record(phase):
    return records.load(f"phase{phase}.json", RESULTS)


def load(name):
    return records.load(name, RESULTS)


def outputs(phase, marker):
    """Text of the outputs of the notebook cells whose source contains ``marker``."""
    texts = []
    for cell in cells(phase):
        if cell.cell_type == "code" and marker in cell.source:
            for out in cell.outputs:
                texts.append(out.get("text") or out.get("data", {}).get("text/markdown", ""))
    return "".join(texts)


@pytest.mark.parametrize("phase", PHASES)
def test_result_file_is_complete_and_records_the_phases_recipe(phase):
    r = record(phase)
    assert r["phase"] == phase and r["params"] == utils.PHASES[phase - 1].params
    assert r["epochs"] == 15 and r["seed"] == 1 and r["run"]["split"] == "test"
    assert r["recipe"] == as_recorded(utils.RECIPES[phase])  # every value resolved, nothing left to defaults
    assert all(len(r[k]) == 15 for k in ("test_acc", "train_acc", "test_loss", "train_loss"))
    assert set(r["platform"]) >= {"device", "torch", "threads", "cpu", "cpu_capability", "cpu_flags"}
    assert (RESULTS / f"phase{phase}.pt").exists()


@pytest.mark.parametrize("phase", UNSTUDIED)
def test_notebook_last5_table_is_the_recorded_history(phase):
    table = outputs(phase, "utils.last5_markdown(history)")
    rows = [line.split("|")[1:-1] for line in table.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(row[0]) for row in rows] == list(range(11, 16))
    assert [float(row[3]) for row in rows] == [round(a, 2) for a in judged(record(phase)["test_acc"])]
    assert [float(row[2]) for row in rows] == [round(a, 4) for a in judged(record(phase)["test_loss"])]


@pytest.mark.parametrize("row", utils.PHASES, ids=lambda row: row.notebook)
def test_notebook_verdict_analysis_and_study_table_are_the_ones_the_recorded_numbers_give(row):
    r, earlier = record(row.number), utils.PHASES[:utils.PHASES.index(row)]
    previous = record(earlier[-1].number) if earlier else None
    trials_ = load(row.chosen_by) if row.chosen_by else None
    study = utils.load_study(row.number) if row.study else None  # refuses a study of another recipe than the phase's
    studies = {entry["name"]: entry for entry in study["recipes"]} if study else None
    expected = {"utils.analysis_markdown(": utils.analysis_markdown(r, previous, trials=trials_, studies=studies)}
    if study:
        expected["utils.verdict_block("] = utils.verdict_block(r, study)
        expected["utils.study_table("] = utils.study_table(study)
    else:
        expected["utils.verdict("] = str(utils.verdict(r["params"], History(test_acc=r["test_acc"])))
    assert {marker: outputs(row.number, marker).strip() for marker in expected} == expected


@pytest.mark.parametrize("phase", STUDIED)
def test_seed_study_summary_follows_from_its_runs(phase):
    study = utils.load_study(phase)
    for index, entry in enumerate(study["recipes"]):
        seeds = study["seeds"] if index == 0 else study.get("compared_seeds", study["seeds"])
        assert [run["seed"] for run in entry["runs"]] == seeds
        assert all(len(run["acc"]) == 15 for run in entry["runs"])
        assert records.summarize(entry["runs"]) == entry["summary"]


def test_the_test_set_table_is_the_one_the_recorded_studies_give():
    assert outputs(4, "utils.test_set_table(").strip() == utils.test_set_table()


def _threads_differ(phase) -> bool:
    """Whether the notebook's own run and its study's seed 1 ran with different threads (read at collection: a record
    that cannot be read here fails the test itself, not the collection)."""
    try:
        threads = record(phase)["platform"]["threads"], load(utils.PHASES[phase - 1].study)["recipes"][0]["runs"][0]
        return threads[0] != threads[1]["platform"]["threads"]
    except (OSError, KeyError, IndexError, ValueError):
        return False


@pytest.mark.parametrize("phase", [pytest.param(phase, marks=pytest.mark.xfail(
    _threads_differ(phase), strict=True,
    reason="its study predates one seed 1: its seed 1 ran with other threads than the notebook; make "
    "study records it again")) for phase in STUDIED])
def test_the_notebooks_own_run_is_its_studys_seed_1(phase):
    own, first = record(phase), utils.load_study(phase)["recipes"][0]["runs"][0]
    assert (first["seed"], first["acc"]) == (own["seed"], own["test_acc"])


@pytest.mark.parametrize("row", [row for row in utils.PHASES if row.chosen_by], ids=lambda row: row.notebook)
def test_the_phases_recipe_literal_is_the_one_its_trials_or_search_picked(row):
    t = load(row.chosen_by)
    picked = next(c for c in t["candidates"] if c["name"] == t["picked"])
    assert picked["recipe"] == as_recorded(row.recipe)


@pytest.mark.parametrize("row", [row for row in utils.PHASES if row.compared_with], ids=lambda row: row.notebook)
def test_each_compared_recipe_literal_is_the_one_its_study_ran(row):
    ran = {entry["name"]: entry["recipe"] for entry in utils.load_study(row.number)["recipes"]}
    assert {name: ran.get(name) for name, _ in row.compared_with} == {
        name: as_recorded(recipe) for name, recipe in row.compared_with}


def test_the_write_up_recipe_literal_is_round_1s_candidate_a_as_recorded():
    a = next(c for c in load(rounds_of("trials")[0])["candidates"] if c["name"] == "A")
    assert a["recipe"] == as_recorded(WRITE_UP_PHASE4)


def test_round3_holds_its_candidates_stages_and_decision_as_its_rule_gives():
    t = load(rounds_of("trials")[2])
    assert t["complete"] and t["split"] == trials.SPLIT and t["rule"] == round3.RULE and t["compiled"]
    assert t["stage_seeds"] == {k: list(v) for k, v in round3.STAGE_SEEDS.items()}
    by_name = {c["name"]: c for c in t["candidates"]}
    for c in t["candidates"]:
        assert c["name"] == round3.name_of(c["levers"])
        assert c["recipe"] == as_recorded(round3.recipe(tuple(c["levers"])))
    stage = {k: [by_name[name] for name in names] for k, names in t["stages"].items()}
    for k, candidates in stage.items():  # each stage's candidates ran its seeds
        assert all({run["seed"] for run in c["runs"]} >= set(t["stage_seeds"][k]) for c in candidates)
    assert t["stages"]["1"] == [round3.name_of(levers) for levers in [()] + [(lever,) for lever in round3.SINGLES]]
    assert [tuple(c["levers"]) for c in stage["2"]] == round3.combinations(stage["1"])
    assert t["stages"]["3"] == round3.survivors(stage["1"] + stage["2"])
    assert t["stages"]["4"] == round3.finalists(stage["3"])
    decision = round3.decide(stage["4"], by_name["base"])
    assert {key: t[key] for key in decision} == json.loads(json.dumps(decision))


def test_spread_file_holds_more_runs_of_the_phases_without_a_study():
    spread = load(SPREAD)
    for phase in UNSTUDIED:
        entry = spread["phases"][str(phase)]
        assert entry["recipe"] == as_recorded(utils.RECIPES[phase])
        assert {run["seed"] for run in entry["runs"]} >= {2, 3}  # make spread's seeds, beside the headline seed 1


@pytest.mark.parametrize("phase", PHASES)
def test_each_tolerance_rests_on_three_or_more_distinct_runs_of_the_phases_recipe(phase):
    runs = phase_runs(phase, RESULTS)
    assert len(runs) >= 3 and len({tuple(acc) for acc in runs}) == len(runs)
    assert spread_tolerance(runs)[1].startswith(f"{len(runs)} runs:")  # all of them (its formula: test_regression)


@pytest.mark.parametrize("phase", [4, 5])  # phase 3's plain convolutions, and phase 5's separable blocks
def test_shipped_model_scores_the_recorded_accuracy_from_raw_or_scaled_digits(test_split, phase):
    images, labels = test_split
    model = utils.load_trained(phase)
    assert not model.training
    correct = (utils.predict(model, images) == labels).sum().item()
    assert 100.0 * correct / len(labels) == pytest.approx(record(phase)["test_acc"][-1], abs=1e-9)
    assert torch.equal(utils.predict(model, images[:50].unsqueeze(1).float() / 255), utils.predict(model, images[:50]))


def test_phase_1s_shipped_model_predicts_from_raw_or_scaled_digits(test_split):
    images, _ = test_split
    model = utils.load_trained(1)  # phase 1: biases, no BatchNorm
    raw = utils.predict(model, images[:50])
    assert raw.shape == (50,) and torch.equal(raw, utils.predict(model, images[:50].unsqueeze(1).float() / 255))


def test_figures_exist_and_notebooks_embed_them_without_errors_machine_paths_or_run_timestamps():
    figures = [name for row in utils.PHASES for name in row.figures]
    assert sorted(figures) == sorted(path.stem for path in IMAGES.glob("*.png"))  # each written by one phase
    for name in figures:
        assert (IMAGES / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    for path in NOTEBOOKS.values():
        text = path.read_text()
        assert not re.search(r'"/(work|root|tmp|home)/', text), path.name
        nb = nbformat.reads(text, as_version=4)
        shown = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
        assert "error" not in [out.get("output_type") for out in shown]
        assert sum("image/png" in out.get("data", {}) for out in shown) >= 2
        assert "papermill" not in nb.metadata
        assert all("execution" not in cell.metadata and "papermill" not in cell.metadata for cell in nb.cells)


def test_readme_sections_are_generated_from_the_results():
    readme = "".join((REPO_ROOT / page).read_text() for page in ("README.md", *report.DOCS))
    for section in report.sections(RESULTS).values():
        assert section in readme


def test_load_trained_without_weights_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 04"):
        utils.load_trained(4, results_dir=tmp_path)
