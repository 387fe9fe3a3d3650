import pytest
import torch
import torchvision.transforms.functional as TF
from torchvision.transforms import InterpolationMode

import utils
from utils.core import fast
from utils.core.data import AugmentSpec

SPEC = AugmentSpec(**utils.RECIPES[3]["augment"])  # phase 3's ranges


def _params(n=20_000, seed=0):
    return fast.draw_affine_params(n, SPEC, 28, torch.Generator().manual_seed(seed), "cpu")


def test_parameters_come_from_the_declared_ranges():
    p = _params()
    for name, (lo, hi) in {"angle": (-7, 7), "scale": (0.9, 1.1),
                           "brightness": (0.8, 1.2), "contrast": (0.8, 1.2)}.items():
        values = p[name]
        assert lo <= values.min() and values.max() <= hi, name
        width = hi - lo
        assert values.min() < lo + 0.01 * width and values.max() > hi - 0.01 * width, f"{name} does not span its range"
        assert abs(values.mean() - (lo + hi) / 2) < 0.02 * width, f"{name} is not centred"
        assert abs(values.std() - width / 12 ** 0.5) < 0.02 * width, f"{name} is not uniform"
    # RandomAffine: shift drawn from U(-2.8, 2.8) pixels (10% of 28), rounded to whole pixels.
    for name in ("tx", "ty"):
        assert set(p[name].unique().tolist()) == {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0}
        share_of_3 = (p[name].abs() == 3).float().mean()
        assert abs(share_of_3 - 2 * 0.3 / 5.6) < 0.01  # |x| >= 2.5 has probability 0.6 / 5.6
    assert abs(p["brightness_first"].float().mean() - 0.5) < 0.02


def test_same_warp_and_colour_jitter_as_torchvision():
    images = fast.to_input(torch.randint(0, 256, (6, 28, 28), dtype=torch.uint8))
    p = _params(6, seed=3)
    grid = torch.nn.functional.affine_grid(fast.affine_theta(p, 28), list(images.shape), align_corners=False)
    warped = torch.nn.functional.grid_sample(images, grid, mode="bilinear", align_corners=False)
    jittered = fast._jitter(images, p)
    for i in range(6):
        theirs = TF.affine(images[i], angle=p["angle"][i].item(), translate=[int(p["tx"][i]), int(p["ty"][i])],
                           scale=p["scale"][i].item(), shear=[0.0, 0.0], interpolation=InterpolationMode.BILINEAR)
        assert torch.allclose(warped[i], theirs, atol=1e-4), f"sample {i}'s warp differs from torchvision"
        b, c = p["brightness"][i].item(), p["contrast"][i].item()
        if p["brightness_first"][i]:
            theirs = TF.adjust_contrast(TF.adjust_brightness(images[i], b), c)
        else:
            theirs = TF.adjust_brightness(TF.adjust_contrast(images[i], c), b)
        assert torch.allclose(jittered[i], theirs, atol=1e-5), f"sample {i}'s jitter differs from torchvision"


def test_augmentation_keeps_samples_in_place():
    batch = torch.zeros(8, 1, 28, 28)
    batch[5, 0, 10:18, 10:18] = 1.0  # only sample 5 has ink; zeros stay zeros under warp and jitter
    out = fast.augment_batch(batch, SPEC, torch.Generator().manual_seed(0))
    ink = out.flatten(1).sum(1)
    assert ink[5] > 0 and torch.count_nonzero(ink) == 1


def _loader(images, labels, seed, augment=SPEC, batch_size=32):
    return fast.ResidentLoader(images, labels, batch_size, shuffle=True, augment=augment, seed=seed, device="cpu")


@pytest.fixture(scope="module")
def small_train(mnist_root):
    images, labels = utils.load_split(train=True, data_dir=mnist_root)
    return images[:200], labels[:200]


def test_labels_follow_their_images(small_train):
    images, labels = small_train
    loader = _loader(images, labels, seed=7, augment=None)
    order = torch.randperm(200, generator=torch.Generator().manual_seed(7))
    inputs, batch_labels = next(iter(loader))
    assert torch.equal(batch_labels, labels[order[:32]])
    assert torch.equal(inputs, fast.normalize_batch(fast.to_input(images[order[:32]])))


def test_every_sample_once_per_epoch_in_a_new_order_each_epoch(small_train):
    images, labels = small_train
    loader = _loader(images, labels, seed=1)
    first, second = [torch.cat([batch_labels for _, batch_labels in loader]) for _ in range(2)]
    assert len(first) == 200 and torch.equal(first.sort().values, labels.sort().values)
    assert torch.equal(second.sort().values, labels.sort().values) and not torch.equal(first, second)


def test_same_seed_same_batches_other_seed_other_batches(small_train):
    def first_two(seed):
        return [x for x, _ in zip(_loader(*small_train, seed=seed), range(2))]
    a, b, c = first_two(11), first_two(11), first_two(12)
    assert all(torch.equal(x[0], y[0]) for x, y in zip(a, b))
    assert not torch.equal(a[0][0], c[0][0])


def test_test_split_is_never_augmented_or_shuffled(mnist_root, test_split):
    images, labels = test_split
    loader = utils.resident_loader(False, 1000, "cpu", data_dir=mnist_root, limit=3000, augment=SPEC, seed=3)
    assert loader.augment is None
    got = torch.cat([x for x, _ in loader])
    assert torch.equal(got, fast.normalize_batch(fast.to_input(images[:3000])))
    assert torch.equal(torch.cat([y for _, y in loader]), labels[:3000])
