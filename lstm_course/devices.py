"""Where the model runs: pick a torch device, seed it, and fix the CPU thread count for repeatable runs.

``pick_device("auto")`` takes the first of cuda, mps, cpu that this machine
has. Asking for a device that is not there is a ``ValueError``, never a
silent fall-back to the CPU.

Reproducibility, honestly:

- CPU: a seeded run is repeatable bit for bit on the same machine, torch
  version and thread count (``torch.set_num_threads``).
- CUDA: cuDNN's LSTM and cuBLAS may pick non-deterministic kernels.
  ``seed_everything`` sets ``torch.backends.cudnn.deterministic = True``,
  ``benchmark = False`` and ``CUBLAS_WORKSPACE_CONFIG=:4096:8``; the last
  one only counts if it is set before the process first uses cuBLAS, so set
  it in the shell (``export CUBLAS_WORKSPACE_CONFIG=:4096:8``) to be sure.
  Even then a GPU run repeats itself only on the same GPU, driver and
  library versions, and it does not match the CPU's numbers bit for bit
  (different kernels sum in a different order).
- MPS: seeded, but Apple does not promise deterministic kernels.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import torch

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def available_devices() -> list[str]:
    """The device types this machine can use, best first, e.g. ``['cuda', 'cpu']``."""
    found = ["cuda"] if torch.cuda.is_available() else []
    return found + (["mps"] if _mps_available() else []) + ["cpu"]


def pick_device(name: str | torch.device = "auto") -> torch.device:
    """``'auto'`` -> cuda, then mps, then cpu; ``'cpu'``, ``'cuda'``, ``'mps'`` (or a torch.device) as given.

    Raises ``ValueError`` for an unknown name or a device this machine lacks.
    """
    if isinstance(name, torch.device):
        kind = name.type
    elif isinstance(name, str):
        kind = name.split(":")[0]
    else:
        raise ValueError(f"device must be one of {DEVICES} or a torch.device, got {name!r}")
    if kind == "auto":
        return torch.device(available_devices()[0])
    if kind not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {name!r}")
    if kind not in available_devices():
        raise ValueError(f"device {name!r} was asked for but this machine has none; "
                         f"available: {available_devices()}")
    return torch.device(name)


def seed_everything(seed: int, device: torch.device) -> None:
    """Seed torch's generators and, on CUDA, ask cuDNN and cuBLAS for deterministic kernels."""
    torch.manual_seed(seed)
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


@contextmanager
def cpu_threads(n: int) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)``, then put the previous count back (even on an error)."""
    saved = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(saved)
