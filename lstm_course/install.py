"""Which build of torch the set-up installs on this machine, and the pip commands that install it.

``make lab`` and ``make test`` run this file before ``pip install -r requirements.txt``
(``python lstm_course/install.py --torch auto``); so can anyone (README, "Without make").
It imports the standard library only: it runs in a new environment where nothing,
not even the course's own package, is installed yet.

The choice (README, "Which PyTorch the set-up installs"):

- Linux without an NVIDIA GPU (``nvidia-smi`` finds none): the CPU build, from PyTorch's
  CPU wheel index (``CPU_INDEX``, what pytorch.org's selector gives for pip, Linux, CPU).
  PyPI's Linux torch is the CUDA build: about 2.8 GB with its NVIDIA packages,
  against about 0.2 GB for the CPU build.
- Linux with an NVIDIA GPU: PyPI's build (CUDA).
- macOS and Windows: PyPI's build, already the CPU one (with MPS on Apple silicon).
- ``--torch cpu`` or ``--torch cuda`` forces the choice on Linux (``make lab TORCH=cpu``).

It never hangs or fails the set-up for want of the CPU index: when the pinned torch is
already installed as the chosen build, nothing is installed; when pip can take the pinned
torch from a local wheel (pip's find-links, as on CI machines), that wheel is used; when
the CPU index does not answer within a few seconds, pip's default index is used, with a
message saying what that downloads.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"
CHOICES = ("auto", "cpu", "cuda")
PROBE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Machine:
    """What the choice depends on: ``system`` as platform.system() gives it ("Linux", "Darwin", "Windows"),
    ``arch`` as platform.machine() gives it, and whether ``nvidia-smi`` lists a GPU."""

    system: str
    arch: str
    nvidia_gpu: bool


@dataclass(frozen=True)
class Plan:
    """The build chosen ("cpu", "cuda" or "default": pip's default index), why, and the commands that install it
    (each a list of arguments; none when nothing needs installing)."""

    build: str
    reason: str
    commands: tuple[tuple[str, ...], ...]


def nvidia_gpu_present(timeout: float = 10.0) -> bool:
    """True if ``nvidia-smi -L`` runs and lists a GPU (it needs the NVIDIA driver, not CUDA)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return False
    try:
        out = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


def this_machine() -> Machine:
    return Machine(platform.system(), platform.machine(), nvidia_gpu_present())


def pinned_torch(path: str | Path = REQUIREMENTS) -> str:
    """requirements.txt's torch line, e.g. ``torch==2.13.0``; ``ValueError`` if it has no exact pin."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*torch\s*==\s*([0-9][0-9A-Za-z.]*)\s*(#.*)?$", line)
        if match:
            return f"torch=={match.group(1)}"
    raise ValueError(f"{path} must pin torch exactly (a line such as torch==2.13.0), found none")


def wanted_build(machine: Machine, choice: str = "auto") -> tuple[str, str]:
    """("cpu" | "cuda" | "default", reason) for ``machine`` and the user's ``choice`` ("auto", "cpu" or "cuda")."""
    if not isinstance(machine, Machine):
        raise TypeError(f"machine must be a Machine, got {type(machine).__name__}")
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {CHOICES}, got {choice!r}")
    if machine.system != "Linux":
        note = " (TORCH=cuda: see README, section GPU, for CUDA builds off Linux)" if choice == "cuda" else ""
        return "default", f"{machine.system}: PyPI's torch is the CPU build here{note}"
    if choice == "cpu":
        return "cpu", "TORCH=cpu asked for the CPU build"
    if choice == "cuda":
        return "cuda", "TORCH=cuda asked for the CUDA build"
    if machine.nvidia_gpu:
        return "cuda", "nvidia-smi found an NVIDIA GPU: PyPI's CUDA build"
    return "cpu", "no NVIDIA GPU found (nvidia-smi): the CPU build (about 0.2 GB instead of 2.8 GB)"


def installed_torch() -> tuple[str, str] | None:
    """(version, build) of the torch installed in this Python, build "cpu" or "cuda", or None if none is.

    Read from torch's files (``torch/version.py``), without importing torch."""
    try:
        dist = metadata.distribution("torch")
    except metadata.PackageNotFoundError:
        return None
    text = ""
    for file in dist.files or []:
        if str(file).replace("\\", "/") == "torch/version.py":
            try:
                text = Path(dist.locate_file(file)).read_text(encoding="utf-8")
            except OSError:
                pass
    cuda = re.search(r"^cuda\b[^=\n]*=\s*(.+)$", text, flags=re.M)
    build = "cuda" if cuda and cuda.group(1).strip() not in ("None", "") else "cpu"
    return dist.version, build


def satisfies(version: str, requirement: str) -> bool:
    """True if an installed ``version`` (local label such as +cpu ignored) matches ``torch==X``."""
    return version.split("+", 1)[0] == requirement.split("==", 1)[1]


def local_wheel_available(python: str, requirement: str, timeout: float = 60.0) -> bool:
    """True if pip can take ``requirement`` without an index (a wheel in pip's find-links, as on CI machines)."""
    cmd = [python, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps", "--quiet", requirement]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def index_reachable(url: str = CPU_INDEX, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """True if ``url``/torch/ answers within ``timeout`` seconds (proxies from the environment are used)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/torch/", timeout=timeout) as response:
            return response.status < 400
    except (OSError, ValueError, urllib.error.URLError):
        return False


def plan(machine: Machine, choice: str, requirement: str, installed: tuple[str, str] | None,
         local_wheel: bool, cpu_index_reachable: bool, python: str = sys.executable,
         cpu_index: str = CPU_INDEX) -> Plan:
    """The pip commands that give ``python`` the torch of ``requirement`` in the build this machine wants.

    ``installed``: what ``installed_torch()`` returns; ``local_wheel``: pip has the pinned torch without an
    index; ``cpu_index_reachable``: the CPU index answered. Pure: the tests call it for every kind of machine.
    """
    build, reason = wanted_build(machine, choice)
    pip = (python, "-m", "pip", "install")
    if installed is not None and satisfies(installed[0], requirement):
        if build == "default" or installed[1] == build:
            return Plan(build, f"{reason}; torch {installed[0]} ({installed[1]} build) is already installed", ())
        reason += f"; replacing the installed torch {installed[0]} ({installed[1]} build)"
        pip = (*pip, "--force-reinstall")
    if build == "cpu":
        if local_wheel:
            return Plan(build, f"{reason}; pip has {requirement} as a local wheel (find-links), taking it",
                        (pip + (requirement,),))
        if not cpu_index_reachable:
            return Plan("default", f"{reason}, but {cpu_index} did not answer: installing from pip's default "
                        "index instead (on Linux that is the CUDA build, about 2.8 GB); "
                        "to get the CPU build later: make setup TORCH=cpu", (pip + (requirement,),))
        return Plan(build, reason, (pip + ("--index-url", cpu_index, requirement),))
    return Plan(build, reason, (pip + (requirement,),))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python lstm_course/install.py", description=__doc__.split("\n")[0])
    parser.add_argument("--torch", default=os.environ.get("TORCH") or "auto", choices=CHOICES,
                        help="auto (default): CPU build on Linux without an NVIDIA GPU; cpu or cuda: force it")
    parser.add_argument("--cpu-index", default=os.environ.get("TORCH_CPU_INDEX") or CPU_INDEX,
                        help=f"the index of CPU builds (default {CPU_INDEX}; a mirror of it, if you have one)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the commands, install nothing")
    args = parser.parse_args(argv)
    requirement = pinned_torch()
    machine = this_machine()
    build, _ = wanted_build(machine, args.torch)
    installed = installed_torch()
    done = installed is not None and satisfies(installed[0], requirement) and build in ("default", installed[1])
    need_cpu = build == "cpu" and not done
    local = need_cpu and local_wheel_available(sys.executable, requirement)
    reachable = need_cpu and not local and index_reachable(args.cpu_index)
    result = plan(machine, args.torch, requirement, installed, local, reachable, sys.executable, args.cpu_index)
    print(f"torch: {machine.system} {machine.arch}, NVIDIA GPU: {'yes' if machine.nvidia_gpu else 'no'} -> "
          f"{result.build} build. {result.reason}.", flush=True)
    for command in result.commands:
        print("+ " + " ".join(command), flush=True)
        if not args.dry_run:
            returncode = subprocess.run(command).returncode
            if returncode:
                return returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
