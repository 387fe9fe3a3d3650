"""The platform a run happened on: what decides whether the same seed gives the same numbers bit for bit."""

import platform
from pathlib import Path

import torch

_ISA_PREFIXES = ("avx", "amx", "fma", "f16c", "sse4")  # instruction sets that decide which CPU kernels run


def _cpuinfo_field(name: str) -> str | None:
    path = Path("/proc/cpuinfo")
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith(name) and ":" in line:
            return line.split(":", 1)[1].strip()
    return None


def cpu_model() -> str:
    return _cpuinfo_field("model name") or platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The CPU's vector-instruction flags (Linux); empty where /proc/cpuinfo does not exist."""
    flags = (_cpuinfo_field("flags") or "").split()
    return sorted(flag for flag in flags if flag.startswith(_ISA_PREFIXES))


def platform_record(device) -> dict:
    """Device type and name, torch version, threads, CPU model, kernel level and flags: equal records mean the same
    seed gives the same numbers (on the CPU; docs/reproducibility.md says what repeats on a GPU)."""
    device = torch.device(device)
    record = {"device": device.type, "torch": torch.__version__, "threads": torch.get_num_threads(),
              "cpu": cpu_model(), "cpu_capability": torch.backends.cpu.get_cpu_capability(), "cpu_flags": cpu_flags()}
    if device.type == "cuda":
        record.update(device_name=torch.cuda.get_device_name(device), cuda=torch.version.cuda,
                      cudnn=torch.backends.cudnn.version())
    return record


def describe(record: dict) -> str:
    """One line for people: 'cpu (AMD EPYC, AVX512, 2 threads), torch 2.14.1'."""
    where = record.get("device_name") or record["cpu"]
    return (f"{record['device']} ({where}, {record['cpu_capability']}, {record['threads']} threads), "
            f"torch {record['torch']}")
