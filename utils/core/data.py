"""MNIST from a local folder (or a download where the network allows), verified before use.

The data root is resolved as: the explicit ``data_dir`` argument, else the ``MNIST_ROOT`` environment
variable, else ``<project>/data`` (``utils.project_root()``). Inside it, ``MNIST/raw/`` holds the four
uncompressed IDX files, the layout ``torchvision.datasets.MNIST(root)`` reads.

The parts a run uses: ``train`` (all 60,000 training digits) and ``test`` (the 10,000 test digits) for the runs the
notebooks report; ``fit`` (the first 50,000 training digits) and ``validation`` (the last 10,000, indices
50,000-59,999, fixed) for choosing recipes and architectures without looking at the test set.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from ..paths import project_root

MNIST_MEAN = 0.1307  # mean pixel of the training set, in [0, 1] units (the original write-up's constant)
MNIST_STD = 0.3081   # its standard deviation
PART_SIZES = {"train": 60_000, "test": 10_000, "fit": 50_000, "validation": 10_000}
# split -> (the part trained on, the part evaluated after every epoch)
SPLITS = {"test": ("train", "test"), "validation": ("fit", "validation")}

# name -> (size in bytes, md5) of the uncompressed IDX files, as published with the data set.
RAW_FILES = {
    "train-images-idx3-ubyte": (47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": (60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": (7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": (10_008, "27ae3e4e09519cfbb04c329615203637"),
}
_FIX = ("Set the MNIST_ROOT environment variable, or pass data_dir, "
        "to a folder holding MNIST/raw/ with the four IDX files.")


class MNISTDataError(RuntimeError):
    """MNIST is missing, unreadable or corrupt; the message names the folder, the file and the fix."""


@dataclass(frozen=True)
class AugmentSpec:
    """Per-sample RandomAffine + ColorJitter ranges, shared by the torchvision path and the fast batched path (the
    values are a recipe's ``augment``, ``utils.recipes``)."""
    degrees: float                   # rotation drawn from U(-degrees, degrees)
    translate: tuple[float, float]   # max shift as a fraction of width / height
    scale: tuple[float, float]       # zoom factor drawn from U(lo, hi)
    brightness: float                # brightness factor drawn from U(1 - b, 1 + b)
    contrast: float                  # contrast factor drawn from U(1 - c, 1 + c)


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """``data_dir``, else ``$MNIST_ROOT``, else ``<project>/data``; relative paths are taken from the working
    directory."""
    chosen = data_dir if data_dir is not None else os.environ.get("MNIST_ROOT") or project_root() / "data"
    return Path(chosen).expanduser().resolve()


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _problems(raw: Path) -> list[str]:
    """Every reason the four raw files in ``raw`` cannot be used; empty when they are all intact."""
    problems = []
    for name, (size, md5) in RAW_FILES.items():
        path = raw / name
        try:
            actual = path.stat().st_size
            if actual != size:
                problems.append(f"{path} is {actual:,} bytes, expected {size:,} (truncated or wrong file)")
            elif (digest := _md5(path)) != md5:
                problems.append(f"{path} has md5 {digest}, expected {md5} (corrupt)")
        except FileNotFoundError:
            problems.append(f"{path} is missing")
        except PermissionError:
            problems.append(f"{path} cannot be read (permission denied)")
    return problems


def _try_download(root: Path) -> str | None:
    """Download MNIST into ``root`` with torchvision; returns why it failed, or None."""
    try:
        datasets.MNIST(root, train=True, download=True)
        datasets.MNIST(root, train=False, download=True)
    except Exception as error:  # offline, DNS, HTTP, disk: all end in the same message
        return f"{type(error).__name__}: {error}"
    return None


def ensure_mnist(data_dir: str | os.PathLike | None = None, download: bool = True) -> Path:
    """Return the verified data root, downloading first where files are missing and ``download`` allows.

    Raises ``MNISTDataError`` naming the folder, the offending file and the fix. A corrupt file is never
    replaced silently: it is reported.
    """
    root = resolve_data_dir(data_dir)
    raw = root / "MNIST" / "raw"
    problems = _problems(raw)
    missing_only = problems and all(p.endswith("is missing") for p in problems)
    if missing_only and download:
        failure = _try_download(root)
        problems = _problems(raw)
        if problems and failure:
            problems.append(f"the download into {root} failed ({failure})")
    if problems:
        lines = "\n  - ".join(problems)
        raise MNISTDataError(f"MNIST is not usable in {raw}:\n  - {lines}\n{_FIX}")
    return root


def load_split(train: bool, data_dir=None, download: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """The verified split as ``(images uint8 (N, 28, 28), labels int64 (N,))``."""
    root = ensure_mnist(data_dir, download)
    split = datasets.MNIST(root, train=train, download=False)
    return split.data, split.targets


def part_range(part: str) -> range:
    """Indices of ``part`` inside its file: the training file for train / fit / validation, the test file for test."""
    if part not in PART_SIZES:
        raise ValueError(f"part must be one of {', '.join(PART_SIZES)}, got {part!r}")
    start = PART_SIZES["fit"] if part == "validation" else 0
    return range(start, start + PART_SIZES[part])


def load_part(part: str, data_dir=None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(images uint8 (N, 28, 28), labels (N,))`` of one part: train, test, fit or validation."""
    images, labels = load_split(part != "test", data_dir)
    index = part_range(part)
    return images[index.start:index.stop], labels[index.start:index.stop]


def build_transforms(train: bool, augment: AugmentSpec | None = None) -> transforms.Compose:
    """Per-sample torchvision transforms: ToTensor + Normalize, after RandomAffine + ColorJitter with ``augment``'s
    ranges when ``train`` and ``augment`` is given."""
    steps = []
    if train and augment is not None:
        steps += [
            transforms.RandomAffine(degrees=augment.degrees, translate=augment.translate, scale=augment.scale,
                                    interpolation=transforms.InterpolationMode.BILINEAR),
            transforms.ColorJitter(brightness=augment.brightness, contrast=augment.contrast),
        ]
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))])


def check_limit(limit: int | None, part: str) -> None:
    """``limit`` must be None or an int in 1..size of ``part``."""
    size = PART_SIZES[part]
    name = "limit_train" if part in ("train", "fit") else "limit_test"
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= size):
        raise ValueError(f"{name} must be None or an int from 1 to {size:,}, got {limit!r}")


def torchvision_loader(train: bool, batch_size: int, data_dir=None, limit: int | None = None,
                       augment: AugmentSpec | None = None, num_workers: int = 0, seed: int = 0,
                       part: str | None = None) -> DataLoader:
    """The classic pipeline: ``datasets.MNIST`` + per-sample PIL transforms + ``DataLoader``.

    Serves ``part`` (default: train or test, by ``train``), its first ``limit`` samples; ``train`` shuffles and
    augments.
    """
    part = part or ("train" if train else "test")
    check_limit(limit, part)
    root = ensure_mnist(data_dir)
    dataset = datasets.MNIST(root, train=part != "test", download=False,
                             transform=build_transforms(train, augment))
    index = part_range(part)
    if limit is not None or part in ("fit", "validation"):
        dataset = Subset(dataset, index[:limit])
    generator = torch.Generator().manual_seed(seed)  # shuffling order, independent of the global RNG
    return DataLoader(dataset, batch_size=batch_size, shuffle=train, num_workers=num_workers, generator=generator,
                      persistent_workers=num_workers > 0)
