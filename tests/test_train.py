import math
from dataclasses import asdict

import pytest
import torch

import utils
from utils.core import runtime

from utils.recipes import PHASE3, tweak
from utils.core.runs import make_optimizer, train_recipe

# Phase 3's recipe, shortened, with every optimiser option and the per-batch cosine schedule switched on.
SMALL = tweak(PHASE3, {"train.epochs": 2, "train.batch_size": 64, "optimizer.nesterov": True,
                       "optimizer.weight_decay": 1e-4, "schedule": {"name": "cosine"}})


def small(changes: dict | None = None, **run) -> dict:
    """SMALL with ``changes`` (``tweak``'s), run as ``run`` says (``run_config``'s keys; seed 1 unless given)."""
    return utils.run_config(tweak(SMALL, changes or {}), **{"seed": 1, **run})


def quiet(_line):
    pass


def test_short_real_training_beats_chance_by_far(mnist_root):
    config = small({"model": 2, "augment": None, "schedule": {"name": "none"}}, data_dir=mnist_root, limit_train=4000,
                   limit_test=1000)
    _, history = train_recipe(config, "cpu", progress=False, log=quiet)
    assert history.epochs == 2
    assert history.test_acc[-1] > 90.0  # chance is 10%
    assert history.test_loss[-1] < history.test_loss[0] and history.test_acc[-1] > history.test_acc[0]


@pytest.mark.parametrize("pipeline", ["fast", "torchvision"])
def test_same_seed_gives_an_identical_history_and_another_seed_does_not(mnist_root, pipeline):
    config = small(data_dir=mnist_root, epochs=1, limit_train=256, limit_test=200, pipeline=pipeline)
    runs = [train_recipe({**config, "seed": seed}, "cpu", progress=False, log=quiet)[1] for seed in (3, 3, 4)]
    first, again, other = [{k: v for k, v in asdict(h).items() if k != "seconds"} for h in runs]
    assert first == again and first != other
    assert len(first["lr_per_step"]) == 4 and (first["test_acc"][0] * 2).is_integer()  # 256 / 64 steps; 200 digits


def test_history_records_every_epoch_and_every_step(mnist_root):
    lines = []
    _, history = train_recipe(small(data_dir=mnist_root, limit_train=640, limit_test=200),
                                    "cpu", progress=False, log=lines.append)
    assert [len(v) for k, v in asdict(history).items() if k != "lr_per_step"] == [2] * 6
    assert len(history.lr_per_step) == 2 * 10  # 640 / 64 steps per epoch
    assert history.lr_per_step[0] == pytest.approx(0.05)  # the cosine starts at the peak lr
    assert history.lr_per_step == sorted(history.lr_per_step, reverse=True)  # and falls with every batch
    assert len(lines) == 2 and lines[0].startswith("epoch  1/2  train loss")


def test_step_scheduler_steps_per_epoch_and_an_unknown_one_is_an_error(mnist_root):
    config = small({"schedule": {"name": "step", "step_size": 1, "gamma": 0.1}}, data_dir=mnist_root, epochs=3,
                   limit_train=128, limit_test=100)
    _, history = train_recipe(config, "cpu", progress=False, log=quiet)
    assert history.lr == pytest.approx([0.05, 0.005, 0.0005])
    with pytest.raises(ValueError, match="scheduler must be one of"):
        make_optimizer(utils.build_model(1), small({"schedule": {"name": "exponential"}}), steps_per_epoch=10)


def test_interrupt_mid_epoch_propagates():
    class Interrupting:
        def __len__(self):
            return 3

        def __iter__(self):
            yield torch.zeros(4, 1, 28, 28), torch.zeros(4, dtype=torch.long)
            raise KeyboardInterrupt

    model = utils.build_model(1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    with pytest.raises(KeyboardInterrupt):
        utils.fit(model, Interrupting(), [], optimizer, epochs=1, progress=False, log=quiet)


def test_auto_device_prefers_cuda_then_mps_then_cpu_and_a_missing_device_is_an_error_not_a_fallback(monkeypatch):
    available = {"cuda": False, "mps": False, "cpu": True}
    monkeypatch.setattr(runtime, "_available", lambda name: available[name])
    assert utils.pick_device("auto").type == "cpu" and utils.pick_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="device 'cuda' was asked for but is not available"):
        utils.pick_device("cuda")
    with pytest.raises(ValueError, match="device must be one of auto, cuda, mps, cpu, got 'gpu'"):
        utils.pick_device("gpu")
    available["mps"] = True
    assert utils.pick_device("auto").type == "mps"
    available["cuda"] = True
    assert utils.pick_device("auto").type == "cuda"


def test_evaluate_counts_exactly():
    class Constant(torch.nn.Module):
        def forward(self, x):
            return torch.tensor([[0.0, 1.0]]).repeat(len(x), 1)
    batches = [(torch.zeros(3, 1), torch.tensor([1, 1, 0])), (torch.zeros(1, 1), torch.tensor([1]))]
    loss, acc = utils.evaluate(Constant(), batches)
    assert acc == 75.0
    # per digit: -log softmax([0, 1])[label], ln(1 + e^-1) for the three 1s, ln(1 + e) for the 0; the mean of the four
    assert loss == pytest.approx((3 * math.log(1 + math.exp(-1)) + math.log(1 + math.exp(1))) / 4)  # 0.563262


def test_progress_bar_counts_every_step_and_ends_as_one_line(capsys):
    torch.manual_seed(0)
    batches = [(torch.randn(4, 1, 28, 28), torch.randint(0, 10, (4,)))] * 120  # 2 progress updates + the rest
    model = utils.build_model(3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    history = utils.fit(model, batches, batches[:2], optimizer, epochs=2, progress=True)
    shown = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert "epoch 2/2 100%" in shown and "240/240 steps" in shown
    assert shown.endswith(f"epoch 2 eval acc {history.test_acc[-1]:.2f}%")


def test_seeding_asks_cuda_for_deterministic_kernels_only_where_there_is_cuda(monkeypatch):
    calls = []
    monkeypatch.setattr(torch, "use_deterministic_algorithms",
                        lambda on, warn_only=False: calls.append((on, warn_only)))
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    utils.seed_everything(1)
    assert calls == [] and "CUBLAS_WORKSPACE_CONFIG" not in runtime.os.environ
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    utils.seed_everything(1)
    assert calls == [(True, True)] and runtime.os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark


def test_compile_wraps_the_trained_model_and_returns_the_plain_one(mnist_root, monkeypatch):
    compiled = []
    monkeypatch.setattr(torch, "compile", lambda model: compiled.append(model) or model)
    config = small(data_dir=mnist_root, epochs=1, limit_train=128, limit_test=100, compile=True)
    model, _ = train_recipe(config, "cpu", progress=False)
    assert compiled == [model] and isinstance(model, torch.nn.Sequential)
    train_recipe({**config, "compile": False}, "cpu", progress=False)
    assert len(compiled) == 1
