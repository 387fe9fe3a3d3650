"""Where the project's own files are (notebooks/, results/, image/, data/), however the package was installed.

Found, in order: the ``MNIST8K_ROOT`` environment variable; the folder above this package when that is the project
(a checkout, or ``pip install -e .``); else the working directory or the nearest folder above it that is the project
(a plain ``pip install`` used from the clone's ``notebooks/`` folder, as the Colab cell does). Nothing is looked up
at import time.
"""

import os
from pathlib import Path

PROJECT_NAME = 'name = "mnist-8k-utils"'  # the line of pyproject.toml that marks the project's folder


class ProjectNotFound(RuntimeError):
    """The project's folder (with notebooks/, results/ and pyproject.toml) could not be found."""


def is_project(folder: Path) -> bool:
    marker = folder / "pyproject.toml"
    return (folder / "notebooks").is_dir() and marker.is_file() and PROJECT_NAME in marker.read_text()


def project_root() -> Path:
    """The project's folder; raises ``ProjectNotFound`` naming what was tried and the fix."""
    explicit = os.environ.get("MNIST8K_ROOT")
    if explicit:
        folder = Path(explicit).expanduser().resolve()
        if not is_project(folder):
            raise ProjectNotFound(f"MNIST8K_ROOT={explicit} is not the project's folder (no notebooks/ and "
                                  f"pyproject.toml of mnist-8k-utils there)")
        return folder
    beside_package = Path(__file__).resolve().parent.parent
    here = Path.cwd().resolve()
    for folder in (beside_package, here, *here.parents):
        if is_project(folder):
            return folder
    raise ProjectNotFound(f"cannot find the project's folder: utils is installed at {beside_package} and the "
                          f"working directory {here} is not inside a clone. Run from the clone (e.g. its notebooks/ "
                          f"folder), install it with `pip install -e .`, or set MNIST8K_ROOT to the clone.")


def results_dir() -> Path:
    return project_root() / "results"


def notebook_dir() -> Path:
    return project_root() / "notebooks"
