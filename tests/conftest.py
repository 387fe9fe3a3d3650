import pytest

import utils


@pytest.fixture(scope="session")
def mnist_root():
    """The verified MNIST root (MNIST_ROOT, else <repo>/data); a clear error naming the fix when there is none."""
    return utils.ensure_mnist()


@pytest.fixture(scope="session")
def test_split(mnist_root):
    return utils.load_split(train=False, data_dir=mnist_root)


@pytest.fixture
def raw_copy(mnist_root, tmp_path):
    """A writable copy of the four raw files under ``tmp_path`` (``<tmp>/MNIST/raw``), to damage."""
    import shutil
    from utils.core.data import RAW_FILES
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in RAW_FILES:
        shutil.copy(mnist_root / "MNIST" / "raw" / name, raw / name)
    return tmp_path


NOTEBOOKS = {row.number: utils.project_root() / "notebooks" / f"{row.notebook}.ipynb" for row in utils.PHASES}


def cells(phase):
    """The cells of ``phase``'s committed notebook."""
    import nbformat
    return nbformat.read(NOTEBOOKS[phase], as_version=4).cells


def runs(lows, seeds=None):
    """Per-seed rows (``records.run_row``) of 15-epoch runs whose last 5 epochs sit at each of ``lows``."""
    from utils import records
    seeds = seeds or range(1, len(lows) + 1)
    return [records.run_row(seed, [99.0] * 10 + [low] * 5) for seed, low in zip(seeds, lows)]


def sized(name, params, lows, seeds=None):
    """A candidate of a search or a size of the frontier: ``params`` parameters, ``runs(lows, seeds)``."""
    return {"name": name, "params": params, "runs": runs(lows, seeds)}


def history(test_acc, test_loss=None, lr=None):
    """A ``History`` of ``test_acc``'s epochs, 2 s each: test loss 0.02 and lr 0.01 unless given, three steps an epoch,
    train loss 0.1 and train accuracy 99%."""
    from utils.core.loop import History
    n = len(test_acc)
    return History(train_loss=[0.1] * n, train_acc=[99.0] * n, test_loss=list(test_loss or [0.02] * n),
                   test_acc=list(test_acc), lr=list(lr or [0.01] * n), seconds=[2.0] * n, lr_per_step=[0.01] * (3 * n))


def fake_pool(accuracy, calls=None, platform=None):
    """A stand-in for ``runner.run_pool`` that trains nothing: each job's row has ``accuracy(name, config)`` as its
    per-epoch accuracy (and ``platform``, where given); ``calls`` (a list) collects each call's
    ``(workers, [(name, seed), ...])``."""
    from utils import records

    def pool(jobs, workers, on_done, log):
        if calls is not None:
            calls.append((workers, [(name, config["seed"]) for name, config in jobs]))
        for name, config in jobs:
            on_done(name, records.run_row(config["seed"], accuracy(name, config), platform=platform))
    return pool
