"""One check of a notebook's parameters, before any data is loaded or any model trained."""

import os
import tempfile
from pathlib import Path

from ..core.data import check_limit
from ..core.runs import PIPELINES
from ..core.runtime import DEVICES, pick_device


class ParameterError(ValueError):
    """A notebook parameter has a value that cannot work; the message names it, its value and what is allowed."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(ok: bool, name: str, value, allowed: str) -> None:
    if not ok:
        raise ParameterError(f"parameter {name}={value!r} is not allowed: {name} must be {allowed}")


def _writable_dir(name: str, value) -> Path:
    _require(isinstance(value, (str, os.PathLike)) and str(value) != "", name, value, "a folder path (str)")
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):  # the one honest test of writability, root included
            pass
    except OSError as error:
        raise ParameterError(f"parameter {name}={value!r} is not allowed: {name} must be a writable folder "
                             f"({type(error).__name__}: {error.strerror or error})") from None
    return path


def validate_parameters(*, epochs, seed, device, data_dir, results_dir, image_dir, limit_train, limit_test,
                        pipeline="fast") -> dict:
    """Check every notebook parameter; returns them as a dict, or raises ``ParameterError`` on the first bad one.

    papermill hands command-line values over as Python literals where it can (``-p epochs 3`` is the int 3) and as
    strings where it cannot (``-p epochs three``), so type checks here are what catches a mistyped value.
    ``epochs`` above 15 is allowed; the verdict then reports the mission's limit as broken.
    """
    _require(_is_int(epochs) and epochs >= 1, "epochs", epochs, "a positive int (the mission allows at most 15)")
    _require(_is_int(seed), "seed", seed, "an int")
    _require(isinstance(device, str) and device in DEVICES, "device", device, f"one of {', '.join(DEVICES)}")
    try:
        pick_device(device)
    except ValueError as error:
        raise ParameterError(f"parameter device={device!r} is not allowed: {error}") from None
    _require(data_dir is None or (isinstance(data_dir, (str, os.PathLike)) and str(data_dir) != ""),
             "data_dir", data_dir, "None (use $MNIST_ROOT or <project>/data) or a folder path")
    for name, value, part in (("limit_train", limit_train, "train"), ("limit_test", limit_test, "test")):
        try:
            check_limit(value, part)
        except ValueError as error:
            raise ParameterError(f"parameter {name}={value!r} is not allowed: {error}") from None
    _require(pipeline in PIPELINES, "pipeline", pipeline, f"one of {', '.join(PIPELINES)}")
    return dict(epochs=epochs, seed=seed, device=device, data_dir=data_dir,
                results_dir=_writable_dir("results_dir", results_dir), image_dir=_writable_dir("image_dir", image_dir),
                limit_train=limit_train, limit_test=limit_test, pipeline=pipeline)
