"""The committed record: results/, image/, the executed notebooks and the README agree with each other and with
the mission. These fail until `make run` has produced them, and again whenever one is edited without the others."""

import json
import re

import nbformat
import pytest
import torch

import utils
from utils import report
from utils.data import REPO_ROOT
from utils.results import HOLD_EPOCHS, TARGET_ACC
from utils.study import SeedStudy
from utils.train import History

RESULTS, IMAGES = REPO_ROOT / "results", REPO_ROOT / "image"
NOTEBOOKS = {int(p.name[:2]): p for p in (REPO_ROOT / "notebooks").glob("0*.ipynb")}
PHASES = (1, 2, 3, 4)


def record(phase):
    return json.loads((RESULTS / f"phase{phase}.json").read_text())


def outputs(phase, marker):
    """Text of the outputs of the notebook cells whose source contains ``marker``."""
    nb = nbformat.read(NOTEBOOKS[phase], as_version=4)
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and marker in cell.source:
            for out in cell.outputs:
                texts.append(out.get("text") or out.get("data", {}).get("text/markdown", ""))
    return "".join(texts)


@pytest.mark.parametrize("phase", PHASES)
def test_result_file_is_complete(phase):
    r = record(phase)
    assert r["phase"] == phase and r["params"] == utils.count_parameters(utils.build_model(phase))
    assert r["epochs"] == 15 and r["seed"] == 1
    assert all(len(r[k]) == 15 for k in ("test_acc", "train_acc", "test_loss", "train_loss"))
    assert (RESULTS / f"phase{phase}.pt").exists()


@pytest.mark.parametrize("phase", PHASES)
def test_notebook_history_table_is_the_recorded_history(phase):
    table = outputs(phase, "utils.history_markdown(history)")
    rows = [line.split("|")[1:-1] for line in table.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [float(row[5]) for row in rows] == [round(a, 2) for a in record(phase)["test_acc"]]
    assert [float(row[3]) for row in rows] == [round(a, 2) for a in record(phase)["train_acc"]]


@pytest.mark.parametrize("phase", PHASES)
def test_notebook_verdict_is_the_verdict_of_the_recorded_history(phase):
    r = record(phase)
    expected = str(utils.verdict(r["params"], History(test_acc=r["test_acc"])))
    assert outputs(phase, "utils.verdict(").strip() == expected


def test_phase4_meets_the_mission():
    r = record(4)
    assert r["params"] < 8000 and r["epochs"] <= 15
    assert min(r["test_acc"][-HOLD_EPOCHS:]) >= TARGET_ACC


def test_seed_study_summary_follows_from_its_runs():
    study = json.loads((RESULTS / "phase4_seeds.json").read_text())
    assert len(study["seeds"]) == 5 and study["seeds"][0] == 1
    for entry in study["recipes"]:
        assert [run["seed"] for run in entry["runs"]] == study["seeds"]
        assert all(len(run["test_acc"]) == 15 for run in entry["runs"])
        assert SeedStudy(entry["name"], {}, entry["runs"]).summary() == entry["summary"]
        line = f"{entry['name']}: {entry['summary']['held']} of 5 seeds held"
        assert line in outputs(4, "study.summary()")


def test_headline_run_is_seed_1_of_the_final_recipe():
    final = json.loads((RESULTS / "phase4_seeds.json").read_text())["recipes"][0]
    assert final["runs"][0]["test_acc"] == record(4)["test_acc"]


def test_shipped_phase4_model_scores_the_recorded_accuracy(test_split):
    images, labels = test_split
    model = utils.load_trained(4)
    assert not model.training
    correct = (utils.predict(model, images) == labels).sum().item()
    assert 100.0 * correct / len(labels) == pytest.approx(record(4)["test_acc"][-1], abs=1e-9)


def test_figures_exist_and_notebooks_embed_them():
    for name in ("batch_norm", "v2_val_accuracy", "LR_scheduler", "phase4_seed_study", "phase3_augmentation"):
        assert (IMAGES / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    for path in NOTEBOOKS.values():
        nb = nbformat.read(path, as_version=4)
        kinds = [out.get("output_type") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
        assert "error" not in kinds
        assert sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs) >= 2


def test_notebooks_hold_no_machine_paths_or_run_timestamps():
    for path in NOTEBOOKS.values():
        text = path.read_text()
        assert not re.search(r'"/(work|root|tmp|home)/', text), path.name
        nb = nbformat.reads(text, as_version=4)
        assert "papermill" not in nb.metadata
        assert all("execution" not in cell.metadata and "papermill" not in cell.metadata for cell in nb.cells)


def test_readme_tables_are_generated_from_the_results():
    readme = (REPO_ROOT / "README.md").read_text()
    assert report.results_table(RESULTS) in readme
    assert report.study_table(RESULTS) in readme


def test_load_trained_without_weights_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 04"):
        utils.load_trained(4, results_dir=tmp_path)


def test_predict_accepts_raw_and_scaled_digits(test_split):
    images, _ = test_split
    model = utils.load_trained(1)
    raw = utils.predict(model, images[:50])
    scaled = utils.predict(model, images[:50].unsqueeze(1).float() / 255)
    assert raw.shape == (50,) and torch.equal(raw, scaled)
