"""The fast path: MNIST resident as one uint8 tensor on the device, batches drawn by index, augmented as a batch.

Each sample still gets its own random rotation, translation, scale, brightness and contrast, drawn from the same
ranges as the torchvision ``RandomAffine`` + ``ColorJitter`` of ``utils.core.data.build_transforms``; only the work is
done for a whole batch at once (``affine_grid`` / ``grid_sample``), with no PIL and no worker processes.
"""

import math

import torch
import torch.nn.functional as F

from .data import MNIST_MEAN, MNIST_STD, AugmentSpec, check_limit, load_part


def draw_affine_params(n: int, spec: AugmentSpec, size: int, generator: torch.Generator, device) -> dict:
    """Per-sample parameters as RandomAffine draws them: angle (deg), integer pixel shifts, scale. Each tensor is
    ``(n,)``."""
    def uniform(lo, hi):
        return lo + (hi - lo) * torch.rand(n, generator=generator, device=device)
    max_dx, max_dy = spec.translate[0] * size, spec.translate[1] * size
    return {
        "angle": uniform(-spec.degrees, spec.degrees),
        "tx": torch.round(uniform(-max_dx, max_dx)),  # torchvision rounds shifts to whole pixels
        "ty": torch.round(uniform(-max_dy, max_dy)),
        "scale": uniform(*spec.scale),
        "brightness": uniform(1 - spec.brightness, 1 + spec.brightness),
        "contrast": uniform(1 - spec.contrast, 1 + spec.contrast),
        "brightness_first": torch.rand(n, generator=generator, device=device) < 0.5,  # ColorJitter's random order
    }


def affine_theta(params: dict, size: int) -> torch.Tensor:
    """``(n, 2, 3)`` matrices for ``affine_grid``: each maps an output pixel back to where it samples the input.

    The forward map rotates by ``angle`` (as torchvision: positive is counter-clockwise on screen), scales about the
    centre and shifts by (tx, ty) pixels; ``affine_grid`` wants its inverse, in coordinates normalised to [-1, 1].
    """
    rad = params["angle"] * (math.pi / 180)
    cos, sin = torch.cos(rad) / params["scale"], torch.sin(rad) / params["scale"]
    shift_x, shift_y = params["tx"] * (2 / size), params["ty"] * (2 / size)
    # Inverse of  p -> s R p + t, with R = [[cos, -sin], [sin, cos]] in image coordinates (y pointing down):
    # p = R^T (p' - t) / s.  Checked against torchvision.transforms.functional.affine in tests/test_fast.py.
    row0 = torch.stack([cos, sin, -(cos * shift_x + sin * shift_y)], dim=1)
    row1 = torch.stack([-sin, cos, -(-sin * shift_x + cos * shift_y)], dim=1)
    return torch.stack([row0, row1], dim=1)


def _jitter(images: torch.Tensor, params: dict) -> torch.Tensor:
    """ColorJitter brightness then contrast, or the reverse, per sample. ``images`` ``(n, 1, H, W)`` in [0, 1]."""
    def brightness(x):
        return (x * params["brightness"].view(-1, 1, 1, 1)).clamp(0, 1)

    def contrast(x):
        factor = params["contrast"].view(-1, 1, 1, 1)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        return (factor * x + (1 - factor) * mean).clamp(0, 1)

    first = params["brightness_first"].view(-1, 1, 1, 1)
    return torch.where(first, contrast(brightness(images)), brightness(contrast(images)))


def augment_batch(images: torch.Tensor, spec: AugmentSpec, generator: torch.Generator) -> torch.Tensor:
    """Random affine + colour jitter, each sample its own draw. ``images`` ``(n, 1, H, W)`` floats in [0, 1]."""
    n, _, size, _ = images.shape
    params = draw_affine_params(n, spec, size, generator, generator.device)
    params = {name: value.to(images.device) for name, value in params.items()}  # a no-op where the generator lives
    grid = F.affine_grid(affine_theta(params, size), list(images.shape), align_corners=False)
    warped = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return _jitter(warped, params)


def to_input(images_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 ``(n, 28, 28)`` -> float ``(n, 1, 28, 28)`` in [0, 1]."""
    return images_uint8.unsqueeze(1).float().div_(255)


def normalize_batch(images: torch.Tensor) -> torch.Tensor:
    return (images - MNIST_MEAN) / MNIST_STD


class ResidentLoader:
    """Iterable over ``(inputs (B, 1, 28, 28), labels (B,))`` batches of a split held in memory on ``device``.

    A training loader reshuffles every epoch from its own seeded generator and, when ``augment`` is given, augments
    each batch; a test loader keeps the file order and never augments. The generator lives on the device for CUDA
    (no transfer per batch) and on the CPU otherwise: MPS generators are not reliable for ``randperm``, and the CPU's
    draws are the same on every machine.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool,
                 augment: AugmentSpec | None, seed: int, device):
        self.images, self.labels = images.to(device), labels.to(device)
        self.batch_size, self.shuffle, self.augment = batch_size, shuffle, augment
        draws_on = self.images.device if self.images.device.type == "cuda" else torch.device("cpu")
        self.generator = torch.Generator(device=draws_on).manual_seed(seed)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        n = len(self.labels)
        device = self.images.device
        order = (torch.randperm(n, generator=self.generator, device=self.generator.device).to(device)
                 if self.shuffle else None)
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size] if order is not None else slice(start, start + self.batch_size)
            batch = to_input(self.images[index])
            if self.augment is not None:
                batch = augment_batch(batch, self.augment, self.generator)
            yield normalize_batch(batch), self.labels[index]


def resident_loader(train: bool, batch_size: int, device, data_dir=None, limit: int | None = None,
                    augment: AugmentSpec | None = None, seed: int = 0, part: str | None = None) -> ResidentLoader:
    """The fast-path loader for ``part`` (default: train or test, by ``train``), its first ``limit`` samples.

    ``train`` shuffles every epoch and applies ``augment``; otherwise the order is fixed and nothing is augmented.
    """
    part = part or ("train" if train else "test")
    check_limit(limit, part)
    images, labels = load_part(part, data_dir)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return ResidentLoader(images, labels, batch_size, shuffle=train, augment=augment if train else None,
                          seed=seed, device=device)
