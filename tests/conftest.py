import pytest

import utils


@pytest.fixture(scope="session")
def mnist_root():
    """The verified MNIST root (MNIST_ROOT, else <repo>/data); a clear error naming the fix when there is none."""
    return utils.ensure_mnist()


@pytest.fixture(scope="session")
def test_split(mnist_root):
    return utils.load_split(train=False, data_dir=mnist_root)


def runs(lows, seeds=None):
    """Per-seed rows (``records.run_row``) of 15-epoch runs whose last 5 epochs sit at each of ``lows``."""
    from utils import records
    seeds = seeds or range(1, len(lows) + 1)
    return [records.run_row(seed, [99.0] * 10 + [low] * 5) for seed, low in zip(seeds, lows)]


def fake_pool(accuracy, trained=None):
    """A stand-in for ``runner.run_pool`` that trains nothing: each job's row has ``accuracy(name, config)`` as its
    per-epoch accuracy; ``trained`` (a list) collects each job's ``(name, config)``."""
    from utils import records

    def pool(jobs, workers, on_done, log):
        for name, config in jobs:
            if trained is not None:
                trained.append((name, config))
            on_done(name, records.run_row(config["seed"], accuracy(name, config)))
    return pool
