"""Is this machine ready for the course? And JupyterLab's settings for it.

``setup_checks()`` is what notebook 00 shows a classroom: Python, each
required package against requirements.txt, the GPU, and JupyterLab's
widget setting. ``install_lab_overrides()`` writes that setting into the
environment (``python -m lstm_course.environment --install-lab-settings``).

Why the setting: JupyterLab 4.4+ with ipykernel 7 sends widget messages to a
kernel subshell, where a figure drawn from a slider callback can race with
cell execution and come out broken (jupyterlab issue #19719). With
``commsOverSubshells`` set to ``disabled``, callbacks run in order on the
main shell, as they did before.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

SUBSHELL_PLUGIN = "@jupyterlab/apputils-extension:kernels-settings"
LAB_OVERRIDES = {SUBSHELL_PLUGIN: {"commsOverSubshells": "disabled"}}
REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"


@dataclass(frozen=True)
class SetupCheck:
    """One line of the set-up report: what was checked, whether it is fine, and how to fix it if not."""

    name: str
    ok: bool
    found: str
    fix: str = ""


def _check_prefix(prefix) -> None:
    if prefix is not None and not isinstance(prefix, (str, Path)):
        raise TypeError(f"prefix must be a folder (str or Path) or None, got {type(prefix).__name__}")


def _read_overrides(path: Path) -> dict:
    """overrides.json as a dict of plugin -> settings dict; ``ValueError`` if it is not JSON or not that shape."""
    try:
        current = json.loads(path.read_text(encoding="utf-8") or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); fix or remove it, then run this again") from None
    if not isinstance(current, dict):
        raise ValueError(f"{path} must hold a JSON object ({{...}}) of plugin settings, got a JSON "
                         f"{type(current).__name__}; fix or remove it, then run this again")
    for plugin in LAB_OVERRIDES:
        if not isinstance(current.get(plugin, {}), dict):
            raise ValueError(f"{path}: the settings of {plugin!r} must be a JSON object, got a JSON "
                             f"{type(current[plugin]).__name__}; fix or remove it, then run this again")
    return current


def overrides_path(prefix: str | Path | None = None) -> Path:
    """Where JupyterLab reads setting overrides for an environment: <prefix>/share/jupyter/lab/settings/overrides.json."""
    _check_prefix(prefix)
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def install_lab_overrides(prefix: str | Path | None = None) -> Path:
    """Merge ``LAB_OVERRIDES`` into the environment's overrides.json (other settings kept); returns its path."""
    path = overrides_path(prefix)
    current = _read_overrides(path) if path.exists() else {}
    for plugin, settings in LAB_OVERRIDES.items():
        current.setdefault(plugin, {}).update(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


def lab_overrides_installed(prefix: str | Path | None = None) -> bool:
    """True if the environment's overrides.json holds every setting of ``LAB_OVERRIDES``."""
    path = overrides_path(prefix)
    try:
        current = _read_overrides(path)
    except (OSError, ValueError):
        return False
    return all(current.get(p, {}).get(k) == v for p, s in LAB_OVERRIDES.items() for k, v in s.items())


def read_requirements(path: Path = REQUIREMENTS) -> list[str]:
    """The requirement lines of requirements.txt, comments and blanks dropped."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing requirements file, got {str(path)!r}")
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def package_checks(requirements: list[str]) -> list[SetupCheck]:
    """One check per requirement line (e.g. ``["numpy>=2.0,<3"]``): installed, and at a version it allows."""
    from packaging.requirements import InvalidRequirement, Requirement

    if isinstance(requirements, (str, bytes)) or not isinstance(requirements, (list, tuple)):
        raise TypeError(f"requirements must be a list of requirement lines such as ['numpy>=2.0'], "
                        f"got {type(requirements).__name__} {requirements!r:.60}")
    checks = []
    for k, line in enumerate(requirements):
        if not isinstance(line, str):
            raise TypeError(f"requirements[{k}] must be a requirement line (str), got {type(line).__name__}")
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"requirements[{k}] is not a requirement line: {line!r} ({exc})") from None
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            checks.append(SetupCheck(req.name, False, "not installed", f"pip install '{line}'"))
            continue
        ok = req.specifier.contains(version.split("+")[0], prereleases=True)
        checks.append(SetupCheck(req.name, ok, version, "" if ok else f"pip install '{line}'"))
    return checks


def gpu_check() -> SetupCheck:
    """Which accelerator torch sees. Not having one is fine: every notebook runs on the CPU."""
    import torch

    if torch.cuda.is_available():
        return SetupCheck("GPU", True, f"CUDA: {torch.cuda.get_device_name(0)}")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return SetupCheck("GPU", True, "Apple MPS")
    return SetupCheck("GPU", True, "none: every notebook runs on the CPU (README.md, section GPU, for CUDA)")


def setup_checks() -> list[SetupCheck]:
    """Everything notebook 00 reports."""
    py = sys.version_info
    checks = [SetupCheck("Python", py >= (3, 10), sys.version.split()[0], "install Python 3.10 or newer")]
    if REQUIREMENTS.exists():
        checks += package_checks(read_requirements())
    else:
        checks.append(SetupCheck("requirements.txt", False, "not found next to lstm_course",
                                 "install the course from its repository: pip install -e ."))
    if all(c.ok for c in checks if c.name == "torch"):
        checks.append(gpu_check())
    checks.append(SetupCheck(
        "JupyterLab widget setting", lab_overrides_installed(),
        "commsOverSubshells = disabled" if lab_overrides_installed() else f"not set in {overrides_path()}",
        "run `make lab`, or: python -m lstm_course.environment --install-lab-settings, then restart JupyterLab"))
    return checks


def report_html(checks: list[SetupCheck]) -> str:
    """The checks as an HTML table with a tick or a cross and the fix."""
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, SetupCheck) for c in checks):
        raise TypeError(f"checks must be a list of SetupCheck, got {type(checks).__name__}")
    rows = "".join(
        f"<tr><td>{'✅' if c.ok else '❌'}</td><td>{html.escape(c.name)}</td><td>{html.escape(c.found)}</td>"
        f"<td>{'' if c.ok else html.escape(c.fix)}</td></tr>" for c in checks)
    return f"<table><tr><th></th><th>check</th><th>found</th><th>what to do</th></tr>{rows}</table>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.environment", description=__doc__.split("\n")[0])
    parser.add_argument("--install-lab-settings", action="store_true",
                        help="write JupyterLab's commsOverSubshells=disabled override into this environment")
    args = parser.parse_args(argv)
    if args.install_lab_settings:
        print(f"JupyterLab settings override written: {install_lab_overrides()}")
        return 0
    checks = setup_checks()
    for c in checks:
        print(f"{'ok  ' if c.ok else 'FIX '} {c.name:28} {c.found}" + (f"  ->  {c.fix}" if c.fix and not c.ok else ""))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
