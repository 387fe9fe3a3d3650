"""papermill smoke runs of every notebook (one epoch on a slice), and how failures look. Outputs go to temp folders."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import papermill
import pytest

import utils
from utils.commands import run as series
from conftest import NOTEBOOKS as BY_PHASE

REPO_ROOT = utils.project_root()
NOTEBOOKS = list(BY_PHASE.values())
ROWS = {row.notebook: row for row in utils.PHASES}
SMOKE = dict(epochs=1, limit_train=512, limit_test=256)
NOT_COPIED = shutil.ignore_patterns(".venv", ".git", "data", "__pycache__", "*.egg-info", ".pytest_cache", "build")

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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_smoke_run_writes_a_well_formed_result(notebook, tmp_path, committed):
    row = ROWS[notebook.stem]
    phase = row.number
    execute(notebook, tmp_path, seed=7, **SMOKE)
    record = json.loads((tmp_path / "results" / f"phase{phase}.json").read_text())
    assert (record["phase"], record["params"], record["epochs"], record["seed"], record["batch_size"]) == \
        (phase, row.params, 1, 7, row.recipe["train"]["batch_size"])
    assert record["recipe"] == json.loads(json.dumps(utils.tweak(utils.RECIPES[phase], {"train.epochs": 1})))
    for key in ("test_acc", "train_acc", "test_loss", "train_loss"):
        assert len(record[key]) == 1
    correct = record["test_acc"][0] * SMOKE["limit_test"] / 100  # a whole number of digits: exactly limit_test judged
    assert correct == pytest.approx(round(correct), abs=1e-9)
    assert record["test_loss"][0] > 0 and record["lr"] == record["recipe"]["optimizer"]["lr"]
    assert record["device"] in ("cpu", "cuda", "mps") and record["wall_time_s"] > 0
    assert (tmp_path / "results" / f"phase{phase}.pt").stat().st_size > 0
    assert {p.stem for p in (tmp_path / "image").glob("*.png")} == set(row.figures)
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [f"phase{phase}.json", f"phase{phase}.pt"]


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


def test_corrupt_data_fails_in_the_data_cell_with_one_clear_message(tmp_path, committed, raw_copy):
    raw = raw_copy / "MNIST" / "raw"
    (raw / "t10k-images-idx3-ubyte").write_bytes((raw / "t10k-images-idx3-ubyte").read_bytes()[:1000])
    before = _seeded_outputs(tmp_path)
    with pytest.raises(papermill.PapermillExecutionError) as error:
        execute(NOTEBOOKS[1], tmp_path, data_dir=str(raw_copy), **SMOKE)
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


def _colab_cell() -> str:
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    return next(cell.source for cell in nb.cells if "google.colab" in cell.source)


def test_the_colab_cell_stops_with_a_clear_message_while_the_url_is_a_placeholder(monkeypatch):
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    with pytest.raises(RuntimeError, match="Set REPO_URL in this cell .* OWNER placeholder"):
        exec(_colab_cell(), {})
    sources = {nbformat.read(path, as_version=4).cells[1].source for path in NOTEBOOKS}
    assert sources == {_colab_cell()}  # every notebook carries the same cell, second, right after the target


def test_a_plain_install_as_the_colab_cell_makes_runs_from_the_clone(tmp_path, mnist_root):
    """As the Colab cell: a clone, `pip install <clone>` (not editable), notebooks run from the clone's notebooks/."""
    clone, target = tmp_path / "mnist-8k", tmp_path / "site-packages"
    shutil.copytree(REPO_ROOT, clone, ignore=NOT_COPIED)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
           "--target", str(target), str(clone)]
    subprocess.run(pip, check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("MNIST_ROOT", None)
    env.pop("MNIST8K_ROOT", None)
    probe = ("import utils, json; m = utils.load_trained(4); print(json.dumps([utils.__file__, "
             "str(utils.project_root()), str(utils.resolve_data_dir()), m.training]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=clone / "notebooks", env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    module_file, root, data_dir, training = json.loads(out)
    assert Path(module_file).is_relative_to(target)  # the installed copy, not the checkout under test
    assert (Path(root), Path(data_dir), training) == (clone, clone / "data", False)
    # A smoke run of a notebook from the clone's notebooks/ folder, with that install (data from MNIST_ROOT here,
    # since this machine has no network to download it into the clone).
    os.environ["PYTHONPATH"] = str(target)
    try:
        papermill.execute_notebook(str(clone / "notebooks" / NOTEBOOKS[0].name), str(tmp_path / "out.ipynb"),
                                   parameters={**SMOKE, "data_dir": str(mnist_root)}, kernel_name="python3",
                                   cwd=str(clone / "notebooks"), progress_bar=False)
    finally:
        del os.environ["PYTHONPATH"]
    assert json.loads((clone / "results" / "phase1.json").read_text())["epochs"] == 1  # the clone's results/


def test_regress_passes_on_a_fresh_record_and_fails_when_a_recorded_accuracy_moves_by_001(tmp_path, monkeypatch,
                                                                                         capsys):
    """End to end on a smoke run: record a notebook on this platform, re-execute and compare it (exact mode), then
    alter one recorded accuracy by 0.01 and see the exact check fail."""
    from utils.commands import regress
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT, project, ignore=NOT_COPIED)
    monkeypatch.setenv("MNIST8K_ROOT", str(project))
    notebook = project / "notebooks" / NOTEBOOKS[0].name
    series.run_notebook(notebook, dict(SMOKE))
    args = [f"--set={name}={value}" for name, value in SMOKE.items()] + [notebook.name]
    assert regress.main(args) == 0
    assert "regression: 5 passed, 0 failed" in capsys.readouterr().out  # nbval, then 4 per-epoch lists
    recorded = project / "results" / "phase1.json"
    record = json.loads(recorded.read_text())
    record["test_acc"][-1] += 0.01
    recorded.write_text(json.dumps(record))
    assert regress.main(args) == 1
    out = capsys.readouterr().out
    assert "FAIL              phase 1 headline (seed 1): exact: 1 epoch(s) differ" in out
    assert "regression: 4 passed, 1 failed" in out
