import pytest

import utils
from utils import paths


def test_the_checkout_beside_the_package_else_the_explicit_root_checked_else_the_clone_of_the_working_directory(
        monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST8K_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert utils.project_root() == paths.Path(paths.__file__).resolve().parent.parent
    clone = tmp_path / "clone"  # a clone: its notebooks and its pyproject.toml
    (clone / "notebooks").mkdir(parents=True)
    (clone / "pyproject.toml").write_text('[project]\nname = "mnist-8k-utils"\n')
    monkeypatch.setenv("MNIST8K_ROOT", str(clone))  # an explicit root wins, and is checked
    assert utils.project_root() == clone
    monkeypatch.setenv("MNIST8K_ROOT", str(tmp_path))
    with pytest.raises(utils.ProjectNotFound, match="is not the project's folder"):
        utils.project_root()
    monkeypatch.delenv("MNIST8K_ROOT")  # an installed copy: the clone the working directory is in
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site-packages" / "utils" / "paths.py"))
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
