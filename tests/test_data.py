import builtins

import pytest
import torch
from torchvision import transforms

import utils
from utils.core import data
from utils.core.data import MNIST_MEAN, MNIST_STD, build_transforms


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setattr(data, "_try_download", lambda root: "URLError: <urlopen error [Errno -3] no network>")


def test_the_training_digits_load_whole_and_the_normalisation_constants_are_their_mean_and_std(mnist_root):
    images, labels = utils.load_split(train=True, data_dir=mnist_root)
    assert images.shape == (60_000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (60_000,) and set(labels.tolist()) == set(range(10))
    pixels = images.double() / 255
    assert (round(pixels.mean().item(), 4), round(pixels.std().item(), 4)) == (MNIST_MEAN, MNIST_STD)


def test_root_is_argument_then_environment_then_repo(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_ROOT", str(tmp_path / "env"))
    assert utils.resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert utils.resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv("MNIST_ROOT")
    assert utils.resolve_data_dir() == utils.project_root() / "data"


def test_missing_data_without_network_is_one_clear_error(tmp_path, offline):
    with pytest.raises(utils.MNISTDataError) as error:
        utils.ensure_mnist(tmp_path)
    message = str(error.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "train-images-idx3-ubyte is missing" in message
    assert "the download into" in message and "no network" in message
    assert "MNIST_ROOT" in message and "data_dir" in message


@pytest.mark.parametrize("name,damage,message", [
    ("t10k-labels-idx1-ubyte", lambda raw: raw[:5000],
     r"t10k-labels-idx1-ubyte is 5,000 bytes, expected 10,008 \(truncated"),
    ("train-labels-idx1-ubyte", lambda raw: raw[:100] + bytes([raw[100] ^ 0xFF]) + raw[101:],
     r"train-labels-idx1-ubyte has md5 .* \(corrupt\)"),
])
def test_a_truncated_or_corrupt_file_is_named_and_not_replaced(raw_copy, offline, name, damage, message):
    path = raw_copy / "MNIST" / "raw" / name
    damaged = damage(path.read_bytes())
    path.write_bytes(damaged)
    with pytest.raises(utils.MNISTDataError, match=message):
        utils.ensure_mnist(raw_copy)
    assert path.read_bytes() == damaged


def test_unreadable_file_is_named(raw_copy, monkeypatch):
    # Tests run as root in CI, where chmod cannot deny a read; the OS's answer is simulated instead.
    real_open = builtins.open

    def denying_open(file, *args, **kwargs):
        if str(file).endswith("train-images-idx3-ubyte"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", denying_open)
    with pytest.raises(utils.MNISTDataError, match="train-images-idx3-ubyte cannot be read \\(permission denied\\)"):
        utils.ensure_mnist(raw_copy)


def _types(compose):
    return [type(step) for step in compose.transforms]


def test_transforms_per_phase():
    plain = [transforms.ToTensor, transforms.Normalize]
    augmented = [transforms.RandomAffine, transforms.ColorJitter] + plain
    spec = utils.AugmentSpec(**utils.RECIPES[3]["augment"])
    assert _types(build_transforms(train=True)) == plain
    assert _types(build_transforms(train=True, augment=spec)) == augmented
    assert _types(build_transforms(train=False, augment=spec)) == plain


def test_torchvision_loader_takes_the_first_n(mnist_root):
    loader = utils.torchvision_loader(train=False, batch_size=50, data_dir=mnist_root, limit=120)
    inputs, labels = next(iter(loader))
    assert len(loader.dataset) == 120 and inputs.shape == (50, 1, 28, 28)
    _, all_labels = utils.load_split(train=False, data_dir=mnist_root)
    assert torch.equal(labels, all_labels[:50])  # the test loader keeps file order
