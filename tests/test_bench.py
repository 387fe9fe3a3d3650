import torch

from utils.commands import bench


def test_bench_measures_the_three_variants_and_evaluation(mnist_root):
    result = bench.bench(torch.device("cpu"), steps=6, batch_size=32, worker_options=(0,), rounds=2, log=lambda _line: None)
    names = list(result["per_epoch"])
    assert [name[:3] for name in names] == ["(a)", "(b)", "(c)"]
    assert "num_workers=0" in names[0]
    assert all(seconds > 0 for seconds in result["per_epoch"].values()) and result["eval_seconds"] > 0
    assert list(result["workers"]) == [0]
