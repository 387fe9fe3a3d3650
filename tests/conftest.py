import pytest

import utils


@pytest.fixture(scope="session")
def mnist_root():
    """The verified MNIST root (MNIST_ROOT, else <repo>/data); a clear error naming the fix when there is none."""
    return utils.ensure_mnist()


@pytest.fixture(scope="session")
def test_split(mnist_root):
    return utils.load_split(train=False, data_dir=mnist_root)
