import statistics

import torch

from utils import records
from utils.commands import bench
from utils.report.tables import bench_summary


def test_bench_times_each_variant_in_every_round_and_reports_the_median(mnist_root):
    result = bench.bench(torch.device("cpu"), steps=6, batch_size=32, worker_options=(0,), rounds=3,
                         log=lambda _line: None)
    assert list(result["per_epoch"]) == list(result["rounds"]) == [
        "(a) DataLoader + PIL transforms, num_workers=0", "(b) fast path, resident + batched augmentation",
        "(c) model step only, one batch built beforehand"]
    for name, rounds in result["rounds"].items():
        assert len(rounds) == 3 and result["per_epoch"][name] == statistics.median(rounds)
    assert list(result["workers"]) == [0] and "eval_seconds" in result


def test_the_speedup_range_is_the_ratio_within_each_round():
    rounds = {"(a)": [40.0, 30.0, 36.0], "(b)": [20.0, 10.0, 18.0], "(c)": [15.0, 15.0, 15.0]}
    result = {"rounds": rounds, "per_epoch": {k: statistics.median(v) for k, v in rounds.items()}}
    # each round: 2.0, 3.0, 2.0; a slow (a) beside a fast (b) from different rounds (40 / 10 = 4.0) is not a range
    assert bench_summary(result) == ("speedup 2.00x (range over rounds 2.00-3.00x): baseline 36.00 s/epoch, fast "
                                     "18.00, compute floor 15.00 (medians of 3 rounds)")


def test_a_cpu_bench_is_recorded_apart_from_a_gpu_one_and_both_are_read_back_in_name_order(tmp_path):
    records.write_json(tmp_path / "bench_cuda_nvidia_h100.json", {"device": "cuda"})  # a GPU's, named by its model
    records.write_json(tmp_path / bench.bench_file(torch.device("cpu")), {"device": "cpu"})
    records.write_json(tmp_path / "phase1.json", {"phase": 1})
    assert records.load_benches(tmp_path) == [("bench_cpu.json", {"device": "cpu"}),
                                              ("bench_cuda_nvidia_h100.json", {"device": "cuda"})]
    assert records.load_benches(tmp_path / "none") == []


def test_the_compiled_step_and_the_whole_compiled_fast_path_are_reported_against_the_eager_ones_round_by_round():
    rounds = {"(a)": [40.0, 30.0], "(b)": [20.0, 10.0], "(c)": [15.0, 16.0], "(d)": [10.0, 8.0], "(e)": [16.0, 5.0]}
    result = {"rounds": rounds, "per_epoch": {k: statistics.median(v) for k, v in rounds.items()},
              "compile_seconds": [30.0, 10.0]}
    assert bench_summary(result).endswith("; torch.compile'd step 9.00 s/epoch, 1.72x the eager step (range over "
                                          "rounds 1.50-2.00x) after 30 s of compiling the first time, 10.0 s in the later rounds (cached); "
                                          "the whole fast path with it "
                                          "10.50 s/epoch, 1.43x the eager fast path (range over rounds 1.25-2.00x)")
    del rounds["(e)"], result["per_epoch"]["(e)"]  # (e) not measured: the compiled step alone
    assert bench_summary({**result, "compile_seconds": [30.0]}).endswith("after 30 s of compiling the first time")
