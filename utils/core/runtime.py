"""Where and how reproducibly a run happens: device choice and seeding."""

import os
import random

import torch

DEVICES = ("auto", "cuda", "mps", "cpu")  # "auto": the first of the others that this machine has


def _available(name: str) -> bool:
    if name == "cuda":
        return torch.cuda.is_available()
    if name == "mps":
        return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    return name == "cpu"


def pick_device(requested: str = "auto") -> torch.device:
    """``"auto"``: cuda, then mps, then cpu. A named device that this machine lacks is an error, never a fallback."""
    if requested not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {requested!r}")
    if requested == "auto":
        return torch.device(next(name for name in DEVICES[1:] if _available(name)))
    if not _available(requested):
        raise ValueError(f"device {requested!r} was asked for but is not available on this machine; "
                         f"use device='auto' or 'cpu'")
    return torch.device(requested)


def seed_everything(seed: int) -> None:
    """Seed Python and torch (CPU and every GPU) and ask for deterministic kernels.

    Call it right before building the model and the loaders: on the same device, software and thread count the same
    seed then gives a bit-identical run (tested on the CPU). On CUDA it also selects cuDNN's deterministic kernels,
    sets ``CUBLAS_WORKSPACE_CONFIG`` (read when cuBLAS starts, so before the first CUDA matmul) and turns on
    ``torch.use_deterministic_algorithms`` in warn-only mode: an op with no deterministic CUDA kernel warns instead of
    stopping the run. MPS offers no such switch. (The fast loaders draw from generators of their own, seeded from
    the same number.)
    """
    random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    if torch.cuda.is_available():
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
