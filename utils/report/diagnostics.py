"""Looking inside a run: environment, model summary and memory, activations around BatchNorm, misclassified digits."""

import contextlib
import copy
import io
import platform

import matplotlib
import torch
import torchvision
from torch import nn
from torchsummary import summary
from torchvision.transforms import Compose
from torchvision.transforms.functional import to_pil_image, to_tensor

from ..core.data import AugmentSpec, build_transforms
from ..core.fast import augment_batch, normalize_batch, to_input
from ..trained import predict


def versions() -> str:
    """Python and package versions, on one line."""
    return (f"python {platform.python_version()}, torch {torch.__version__}, torchvision {torchvision.__version__}, "
            f"matplotlib {matplotlib.__version__}")


def model_summary(model: nn.Module) -> str:
    """torchsummary's layer table for one ``(1, 28, 28)`` input, computed on a CPU copy so any device works."""
    cpu_copy = copy.deepcopy(model).to("cpu")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        summary(cpu_copy, (1, 28, 28), device="cpu")
    return buffer.getvalue().rstrip()


def model_memory(model: nn.Module) -> str:
    """torchsummary's memory estimate for one digit, in one line (its layer rows are the receptive-field table's)."""
    sizes = {}
    for line in model_summary(model).splitlines():
        name, _, value = line.partition(" (MB): ")
        if value:
            sizes[name] = value
    return (f"one 1x28x28 digit through the model: forward/backward pass {sizes['Forward/backward pass size']} MB, "
            f"parameters {sizes['Params size']} MB, estimated total {sizes['Estimated Total Size']} MB (torchsummary)")


@torch.no_grad()
def batchnorm_activations(model: nn.Module, images_uint8: torch.Tensor, which: int = 0):
    """Inputs and outputs ``(B, C, H, W)`` of the model's ``which``-th BatchNorm layer for a batch of raw digits."""
    layer = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)][which]
    captured = {}
    hook = layer.register_forward_hook(lambda _m, inputs, output: captured.update(before=inputs[0], after=output))
    model.eval()
    try:
        model(normalize_batch(to_input(images_uint8).to(next(model.parameters()).device)))
    finally:
        hook.remove()
    return captured["before"], captured["after"]


@torch.no_grad()
def misclassified(model: nn.Module, images_uint8: torch.Tensor, labels: torch.Tensor, limit: int = 20):
    """The first ``limit`` test digits the model gets wrong: ``(images (k, 28, 28), true (k,), predicted (k,))``."""
    predicted = predict(model, images_uint8)
    wrong = (predicted != labels).nonzero().flatten()[:limit]
    return images_uint8[wrong], labels[wrong], predicted[wrong]


def augmentation_rows(images_uint8: torch.Tensor, spec: AugmentSpec, seed: int) -> dict[str, torch.Tensor]:
    """The same digits as they are, through torchvision's per-sample PIL transforms, and through the fast batched path.

    Returns name -> ``(n, 28, 28)`` floats in [0, 1] (before normalisation), for ``plot_augmentation_rows``.
    """
    pil_augment = build_transforms(train=True, augment=spec).transforms[:2]  # RandomAffine, ColorJitter
    torch.manual_seed(seed)  # torchvision's transforms draw from the global generator
    pil = torch.stack([to_tensor(Compose(pil_augment)(to_pil_image(image))) for image in images_uint8])
    fast = augment_batch(to_input(images_uint8), spec, torch.Generator().manual_seed(seed))
    return {"original": to_input(images_uint8)[:, 0], "torchvision\n(PIL, per sample)": pil[:, 0],
            "fast path\n(batched)": fast[:, 0]}
