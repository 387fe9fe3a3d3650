"""papermill smoke runs of every notebook (one epoch on a slice), and how failures look. Outputs go to temp folders."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from utils import series
from utils.data import RAW_FILES, REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("0*.ipynb"))
SMOKE = dict(epochs=1, limit_train=512, limit_test=256, batch_size=64)
EXPECTED_PARAMS = {1: 7896, 2: 7974, 3: 7753, 4: 7753}
EXPECTED_FIGURES = {1: {"phase1_history", "phase1_misclassified"},
                    2: {"phase2_history", "phase2_misclassified", "batch_norm"},
                    3: {"phase3_history", "phase3_misclassified", "phase3_augmentation", "v2_val_accuracy"},
                    4: {"phase4_history", "phase4_misclassified", "phase4_augmentation", "LR_scheduler",
                        "phase4_seed_study"}}

pytestmark = pytest.mark.slow


def snapshot(*folders: Path) -> dict:
    """Path -> sha256 of every file under ``folders``: what 'nothing changed' is checked against."""
    return {path: hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders if folder.exists() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def committed():
    folders = [REPO_ROOT / name for name in ("notebooks", "results", "image")]
    before = snapshot(*folders)
    yield
    assert snapshot(*folders) == before, "a test changed a committed notebook, result or figure"


def execute(notebook: Path, tmp_path: Path, **parameters):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    params = {"results_dir": str(tmp_path / "results"), "image_dir": str(tmp_path / "image"), **parameters}
    return papermill.execute_notebook(str(notebook), str(out / notebook.name), parameters=params,
                                      kernel_name="python3", cwd=str(notebook.parent), progress_bar=False)


def phase_of(notebook: Path) -> int:
    return int(notebook.name[:2])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_smoke_run_writes_a_well_formed_result(notebook, tmp_path, committed):
    phase = phase_of(notebook)
    extra = {"seeds": 1} if phase == 4 else {}
    execute(notebook, tmp_path, seed=7, **SMOKE, **extra)
    record = json.loads((tmp_path / "results" / f"phase{phase}.json").read_text())
    assert (record["phase"], record["params"], record["epochs"], record["seed"], record["batch_size"]) == \
        (phase, EXPECTED_PARAMS[phase], 1, 7, 64)
    for key in ("test_acc", "train_acc", "test_loss", "train_loss"):
        assert len(record[key]) == 1
    correct = record["test_acc"][0] * SMOKE["limit_test"] / 100  # accuracy over exactly limit_test digits
    assert 0 <= correct <= SMOKE["limit_test"] and correct == pytest.approx(round(correct), abs=1e-9)
    assert record["test_loss"][0] > 0 and record["lr"] == record["recipe"]["lr"]
    assert record["device"] in ("cpu", "cuda", "mps") and record["wall_time_s"] > 0
    assert (tmp_path / "results" / f"phase{phase}.pt").stat().st_size > 0
    assert {p.stem for p in (tmp_path / "image").glob("*.png")} == EXPECTED_FIGURES[phase]
    if phase == 4:
        study = json.loads((tmp_path / "results" / "phase4_seeds.json").read_text())
        assert study["seeds"] == [7] and [len(r["runs"]) for r in study["recipes"]] == [1, 1]


def _seeded_outputs(tmp_path):
    for name in ("results", "image"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "kept.txt").write_text("from an earlier run")
    return snapshot(tmp_path / "results", tmp_path / "image")


def papermill_cli(tmp_path, *parameters):
    """The real command line: papermill converts `-p NAME VALUE` itself (3 -> int, three -> str)."""
    args = [str(Path(sys.executable).with_name("papermill")), str(NOTEBOOKS[0]), str(tmp_path / "out.ipynb"),
            "--cwd", str(NOTEBOOKS[0].parent), "-k", "python3", "--no-progress-bar",
            "-p", "results_dir", str(tmp_path / "results"), "-p", "image_dir", str(tmp_path / "image")]
    for name, value in parameters:
        args += ["-p", name, value]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def test_a_bad_parameter_from_the_command_line_fails_first_and_changes_nothing(tmp_path, committed):
    before = _seeded_outputs(tmp_path)
    run = papermill_cli(tmp_path, ("epochs", "three"))
    assert run.returncode != 0
    assert "ParameterError: parameter epochs='three' is not allowed: epochs must be a positive int" in run.stderr
    # `-p epochs 3` arrives as the int 3 and passes: the first complaint is then about the next bad value.
    run = papermill_cli(tmp_path, ("epochs", "3"), ("limit_test", "0"))
    assert run.returncode != 0 and "epochs" not in run.stderr.split("ParameterError")[-1].split("\n")[0]
    assert "ParameterError: parameter limit_test=0 is not allowed" in run.stderr
    assert snapshot(tmp_path / "results", tmp_path / "image") == before


def test_corrupt_data_fails_in_the_data_cell_with_one_clear_message(tmp_path, committed, mnist_root):
    raw = tmp_path / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in RAW_FILES:
        shutil.copy(mnist_root / "MNIST" / "raw" / name, raw / name)
    (raw / "t10k-images-idx3-ubyte").write_bytes((raw / "t10k-images-idx3-ubyte").read_bytes()[:1000])
    before = _seeded_outputs(tmp_path)
    with pytest.raises(papermill.PapermillExecutionError) as error:
        execute(NOTEBOOKS[1], tmp_path, data_dir=str(tmp_path / "mnist"), **SMOKE)
    assert error.value.ename == "MNISTDataError"
    assert "t10k-images-idx3-ubyte is 1,000 bytes, expected 7,840,016" in error.value.evalue
    assert "MNIST_ROOT" in error.value.evalue
    failed = nbformat.read(tmp_path / "out" / NOTEBOOKS[1].name, as_version=4)
    failing = [c for c in failed.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failing) == 1 and "load_split" in failing[0].source
    assert snapshot(tmp_path / "results", tmp_path / "image") == before


def test_a_timeout_mid_training_changes_nothing(tmp_path, committed):
    before = _seeded_outputs(tmp_path)
    with pytest.raises(Exception) as error:
        papermill.execute_notebook(str(NOTEBOOKS[0]), str(tmp_path / "out.ipynb"), kernel_name="python3",
                                   cwd=str(NOTEBOOKS[0].parent), progress_bar=False, execution_timeout=8,
                                   parameters={"results_dir": str(tmp_path / "results"),
                                               "image_dir": str(tmp_path / "image")})
    assert "timed out" in str(error.value).lower() or "Timeout" in type(error.value).__name__
    assert snapshot(tmp_path / "results", tmp_path / "image") == before


def test_the_series_stops_at_the_first_failure_and_keeps_earlier_fresh_outputs(tmp_path, capsys, committed):
    copies = []
    for source in NOTEBOOKS[:3]:
        shutil.copy(source, tmp_path / source.name)
        copies.append(tmp_path / source.name)
    broken = nbformat.read(copies[1], as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError("broken on purpose")'))
    nbformat.write(broken, copies[1])
    before = snapshot(tmp_path)
    params = {**SMOKE, "results_dir": str(tmp_path / "results"), "image_dir": str(tmp_path / "image")}
    assert series.run_series(copies, params, readme=None, results_dir=tmp_path / "results") == 1
    err = capsys.readouterr().err
    assert f"FAILED: {copies[1].name}" in err and "RuntimeError: broken on purpose" in err
    after = snapshot(tmp_path)
    assert after[copies[0]] != before[copies[0]]  # the first ran through and was replaced
    assert after[copies[1]] == before[copies[1]] and after[copies[2]] == before[copies[2]]
    fresh = nbformat.read(copies[0], as_version=4)
    assert "papermill" not in fresh.metadata and all("execution" not in c.metadata for c in fresh.cells)
    assert not list(tmp_path.glob(".*.running.ipynb"))


def test_an_interrupted_notebook_is_left_as_it_was(tmp_path, monkeypatch):
    notebook = tmp_path / NOTEBOOKS[0].name
    shutil.copy(NOTEBOOKS[0], notebook)
    before = notebook.read_bytes()

    def interrupted(input_path, output_path, **kwargs):
        Path(output_path).write_text("half an executed notebook")  # papermill writes as it goes
        raise KeyboardInterrupt
    monkeypatch.setattr(series.papermill, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        series.run_series([notebook], {}, readme=None, results_dir=tmp_path / "results")
    assert notebook.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [notebook.name]
