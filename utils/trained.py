"""The shipped models: load ``results/phase{N}.pt`` and predict digits with the training-time normalisation."""

from pathlib import Path

import torch
from torch import nn

from .core.fast import normalize_batch, to_input
from .core.models import build_model
from .core.runs import EVAL_BATCH_SIZE, model_device
from .paths import results_dir as default_results_dir
from .phases import phase as phase_row, result_file

def load_trained(phase: int, results_dir=None, device="cpu") -> nn.Module:
    """The phase's model with its recorded weights (``<project>/results`` by default) loaded, on ``device``, in eval
    mode."""
    path = Path(results_dir or default_results_dir()) / result_file(phase, "pt")
    if not path.exists():
        raise FileNotFoundError(f"no trained weights at {path}: run notebook {phase:02d} (or `make run`) first")
    model = build_model(phase_row(phase).recipe["model"])
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.to(device).eval()


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Predicted digits ``(N,)`` for raw MNIST-style ``images``: uint8 ``(N, 28, 28)`` (0-255) or float
    ``(N, 1, 28, 28)`` in [0, 1]."""
    model.eval()
    device = model_device(model)
    if images.dtype == torch.uint8:
        images = to_input(images)
    predictions = [model(normalize_batch(chunk.to(device))).argmax(dim=1).cpu()
                   for chunk in images.split(EVAL_BATCH_SIZE)]
    return torch.cat(predictions)
