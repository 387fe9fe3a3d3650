import pytest

import utils
from utils import paths


def _project(folder):
    (folder / "notebooks").mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "mnist-8k-utils"\n')
    return folder


def test_checkout_is_found_beside_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST8K_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert utils.project_root() == paths.Path(paths.__file__).resolve().parent.parent


def test_explicit_root_wins_and_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST8K_ROOT", str(_project(tmp_path / "clone")))
    assert utils.project_root() == tmp_path / "clone"
    monkeypatch.setenv("MNIST8K_ROOT", str(tmp_path))
    with pytest.raises(utils.ProjectNotFound, match="is not the project's folder"):
        utils.project_root()


def test_an_installed_copy_finds_the_clone_from_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST8K_ROOT", raising=False)
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site-packages" / "utils" / "paths.py"))
    clone = _project(tmp_path / "clone")
    monkeypatch.chdir(clone / "notebooks")
    assert utils.project_root() == clone
    monkeypatch.chdir(tmp_path)
    with pytest.raises(utils.ProjectNotFound, match="Run from the clone .* set MNIST8K_ROOT"):
        utils.project_root()


def test_platform_record_names_what_decides_bit_identity():
    record = utils.platform_record("cpu")
    assert set(record) >= {"device", "torch", "threads", "cpu", "cpu_capability", "cpu_flags"}
    assert record["device"] == "cpu" and record == utils.platform_record("cpu")
    assert utils.describe(record).startswith("cpu (")
