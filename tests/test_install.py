"""Which torch the set-up installs on which machine (lstm_course/install.py), and that it never hangs here."""

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from lstm_course import install
from lstm_course.install import CPU_INDEX, Machine

ROOT = Path(__file__).resolve().parents[1]
REQ = "torch==2.13.0"
PY = "/venv/bin/python"
PIP = (PY, "-m", "pip", "install")

LINUX_CPU = Machine("Linux", "x86_64", nvidia_gpu=False)
LINUX_GPU = Machine("Linux", "x86_64", nvidia_gpu=True)
LINUX_ARM = Machine("Linux", "aarch64", nvidia_gpu=False)
MAC = Machine("Darwin", "arm64", nvidia_gpu=False)
WINDOWS = Machine("Windows", "AMD64", nvidia_gpu=False)


def plan(machine, choice="auto", installed=None, local_wheel=False, reachable=True):
    return install.plan(machine, choice, REQ, installed, local_wheel, reachable, python=PY)


@pytest.mark.parametrize("machine, choice, command", [
    (LINUX_CPU, "auto", PIP + ("--index-url", CPU_INDEX, REQ)),     # most students: no GPU, no 2.8 GB of CUDA
    (LINUX_ARM, "auto", PIP + ("--index-url", CPU_INDEX, REQ)),     # PyPI's aarch64 torch is CUDA too
    (LINUX_GPU, "auto", PIP + (REQ,)),                              # PyPI's Linux build is the CUDA one
    (LINUX_GPU, "cpu", PIP + ("--index-url", CPU_INDEX, REQ)),      # forced either way
    (LINUX_CPU, "cuda", PIP + (REQ,)),
    (MAC, "auto", PIP + (REQ,)),                                    # PyPI's macOS and Windows builds are CPU
    (WINDOWS, "auto", PIP + (REQ,)),
    (MAC, "cpu", PIP + (REQ,)),
])
def test_each_machine_gets_its_build(machine, choice, command):
    assert plan(machine, choice).commands == (command,)


def test_off_linux_a_forced_cuda_build_says_where_to_look():
    result = plan(WINDOWS, "cuda")
    assert result.build == "default" and "README" in result.reason and "GPU" in result.reason


@pytest.mark.parametrize("machine, installed", [
    (LINUX_CPU, ("2.13.0+cpu", "cpu")),
    (LINUX_GPU, ("2.13.0", "cuda")),
    (MAC, ("2.13.0", "cpu")),
])
def test_nothing_is_installed_when_the_pinned_build_is_there(machine, installed):
    result = plan(machine, installed=installed)
    assert result.commands == () and "already installed" in result.reason


def test_a_forced_switch_replaces_the_other_build():
    to_cpu = plan(LINUX_GPU, "cpu", installed=("2.13.0", "cuda"))
    assert to_cpu.commands == (PIP + ("--force-reinstall", "--index-url", CPU_INDEX, REQ),)
    to_cuda = plan(LINUX_CPU, "cuda", installed=("2.13.0+cpu", "cpu"))
    assert to_cuda.commands == (PIP + ("--force-reinstall", REQ),)


def test_another_version_installed_is_upgraded_to_the_pin():
    result = plan(LINUX_CPU, installed=("2.12.1+cpu", "cpu"))
    assert result.commands == (PIP + ("--index-url", CPU_INDEX, REQ),)


def test_a_local_wheel_is_taken_and_an_unreachable_index_falls_back_with_a_message():
    local = plan(LINUX_CPU, local_wheel=True, reachable=False)      # this machine and CI: /opt/wheels
    assert local.build == "cpu" and local.commands == (PIP + (REQ,),) and "local wheel" in local.reason
    offline = plan(LINUX_CPU, local_wheel=False, reachable=False)
    assert offline.build == "default" and offline.commands == (PIP + (REQ,),)
    assert "did not answer" in offline.reason and "2.8 GB" in offline.reason and "TORCH=cpu" in offline.reason


def test_the_pin_is_read_from_requirements(tmp_path):
    assert install.pinned_torch() == "torch==2.13.0"
    (tmp_path / "r.txt").write_text("numpy>=2\ntorch>=2.0\n")
    with pytest.raises(ValueError, match="must pin torch exactly"):
        install.pinned_torch(tmp_path / "r.txt")
    (tmp_path / "r.txt").write_text("torch == 2.9.1  # comment\n")
    assert install.pinned_torch(tmp_path / "r.txt") == "torch==2.9.1"


def test_the_installed_torch_is_read_without_importing_it():
    found = install.installed_torch()
    from importlib import metadata
    assert found is not None and found[0] == metadata.version("torch")
    import torch
    assert found[1] == ("cuda" if torch.version.cuda else "cpu")


@pytest.mark.parametrize("script, expected", [
    ("echo 'GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1)'", True),
    ("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9", False),
    ("echo 'No devices were found'", False),
])
def test_a_gpu_is_what_nvidia_smi_lists(tmp_path, monkeypatch, script, expected):
    exe = tmp_path / "nvidia-smi"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert install.nvidia_gpu_present() is expected
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert install.nvidia_gpu_present() is False


class _Index(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/whl/cpu/torch/" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_index_probe_answers_quickly_either_way():
    server = HTTPServer(("127.0.0.1", 0), _Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert install.index_reachable(f"http://127.0.0.1:{server.server_port}/whl/cpu")
        assert not install.index_reachable(f"http://127.0.0.1:{server.server_port}/elsewhere")
    finally:
        server.shutdown()
    start = time.monotonic()
    assert not install.index_reachable("http://127.0.0.1:9/whl/cpu", timeout=2.0)      # nothing listens there
    assert not install.index_reachable("http://download.invalid/whl/cpu", timeout=2.0)  # no such host
    assert time.monotonic() - start < 10


def test_the_script_runs_before_the_package_is_installed_and_installs_nothing_here():
    """make runs it as a file, with the standard library only; with the pinned torch installed it is a no-op."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TORCH")}
    out = subprocess.run([sys.executable, "-I", str(ROOT / "lstm_course" / "install.py"), "--dry-run"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "torch:" in out.stdout and "already installed" in out.stdout and "+ " not in out.stdout
    source = (ROOT / "lstm_course" / "install.py").read_text()
    assert "from ." not in source and "lstm_course" not in source.split('"""', 2)[2].split("def ")[0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: install.wanted_build("Linux"), TypeError, "machine must be a Machine"),
    (lambda: install.wanted_build(LINUX_CPU, "gpu"), ValueError, "choice must be one of"),
    (lambda: install.pinned_torch(3), TypeError, "path must be a file path"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_makefile_runs_it_before_the_requirements():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("lstm_course/install.py --torch") < recipe.index("pip install -r requirements.txt")
    assert "TORCH ?=" in makefile
