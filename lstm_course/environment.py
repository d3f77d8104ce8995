"""Is this machine ready for the course? And JupyterLab's settings for it.

``setup_checks()`` is what notebook 00 shows a classroom. It asserts only
what the notebooks need, in the kernel's own environment: Python and the
packages the notebooks import (``KERNEL_PACKAGES``, at requirements.txt's
versions). It reports, without failing, what lives elsewhere or is optional:
the GPU, JupyterLab itself (the server may run from another environment),
the maintainers' test tools (requirements-dev.txt), and JupyterLab's widget
setting, read from the running JupyterLab server when the kernel can find
one, else from the kernel environment's overrides.json.
``install_lab_overrides()`` writes that setting into an environment
(``python -m lstm_course.environment --install-lab-settings``), and with a
``locale`` JupyterLab's interface language too (``make lab LAB_LANG=zh_CN``:
``--lab-language zh_CN`` installs the language pack and sets the locale in
the same overrides.json; the course's own text stays English).

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
import os
import sys
import urllib.request
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

SUBSHELL_PLUGIN = "@jupyterlab/apputils-extension:kernels-settings"
LAB_OVERRIDES = {SUBSHELL_PLUGIN: {"commsOverSubshells": "disabled"}}
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"   # its "locale" is the interface language
ENGLISH = ("en", "en_US", "default")      # JupyterLab's own language: no language pack, locale "en"
LANGUAGE_PACK_VERSIONS = ">=4.4,<5"       # the packs of JupyterLab 4 (zh-CN 4.5.post3 tried on JupyterLab 4.6.6)
REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"
DEV_REQUIREMENTS = REQUIREMENTS.with_name("requirements-dev.txt")
# The distributions the notebooks and lstm_course import (IPython comes with ipykernel);
# tests/test_environment.py checks this against every import in the package and the notebooks.
KERNEL_PACKAGES = ("torch", "numpy", "matplotlib", "pillow", "ipywidgets", "ipykernel", "tqdm", "packaging")


@dataclass(frozen=True)
class SetupCheck:
    """One line of the set-up report: what was checked, whether it is fine, and how to fix it if not."""

    name: str
    ok: bool
    found: str
    fix: str = ""
    required: bool = True   # False: reported for information, never a reason to stop
    where: str = ""         # which environment or server was looked at


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
    for plugin in (*LAB_OVERRIDES, TRANSLATION_PLUGIN):
        if not isinstance(current.get(plugin, {}), dict):
            raise ValueError(f"{path}: the settings of {plugin!r} must be a JSON object, got a JSON "
                             f"{type(current[plugin]).__name__}; fix or remove it, then run this again")
    return current


def overrides_path(prefix: str | Path | None = None) -> Path:
    """Where JupyterLab reads setting overrides for an environment: <prefix>/share/jupyter/lab/settings/overrides.json."""
    _check_prefix(prefix)
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def _check_locale(locale: str) -> str:
    import re

    if not isinstance(locale, str):
        raise TypeError(f"locale must be a str such as 'zh_CN', got {type(locale).__name__}")
    if locale not in ENGLISH and not re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", locale):
        raise ValueError(f"locale must be a language_COUNTRY code such as 'zh_CN' (or 'en' for English), got {locale!r}")
    return locale


def lab_overrides(locale: str | None = None) -> dict:
    """The settings the course writes into overrides.json: ``LAB_OVERRIDES``, and with ``locale`` (e.g. "zh_CN")
    the interface language; English ("en", "en_US" or "default") sets "en", JupyterLab's own."""
    settings = {plugin: dict(values) for plugin, values in LAB_OVERRIDES.items()}
    if locale is not None:
        settings[TRANSLATION_PLUGIN] = {"locale": "en" if _check_locale(locale) in ENGLISH else locale}
    return settings


def language_pack(locale: str) -> str | None:
    """The pip requirement of JupyterLab's language pack for ``locale`` (``"zh_CN"`` ->
    ``"jupyterlab-language-pack-zh-CN>=4.4,<5"``), or None for English, which needs none."""
    if _check_locale(locale) in ENGLISH:
        return None
    return f"jupyterlab-language-pack-{locale.replace('_', '-')}{LANGUAGE_PACK_VERSIONS}"


def install_lab_overrides(prefix: str | Path | None = None, locale: str | None = None) -> Path:
    """Merge ``lab_overrides(locale)`` into the environment's overrides.json (other settings kept); returns its path."""
    path = overrides_path(prefix)
    wanted = lab_overrides(locale)
    current = _read_overrides(path) if path.exists() else {}
    for plugin, settings in wanted.items():
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
    return [line for line in lines if line and not line.startswith("-r ")]


def course_requirements() -> list[str]:
    """requirements.txt's lines: from the file beside the package (a checkout), else from the installed
    package's metadata, which carries the same lines (pyproject.toml reads them at build time); [] if neither."""
    if REQUIREMENTS.is_file():
        return read_requirements()
    try:
        declared = metadata.requires("lstm_course") or []
    except metadata.PackageNotFoundError:
        return []
    return [line for line in declared if "extra ==" not in line]


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


def _requirement_name(line: str) -> str:
    from packaging.requirements import Requirement

    return Requirement(line).name


def _running_servers() -> list[dict]:
    """The JupyterLab/Jupyter servers of this user that wrote a runtime file (url, token, root_dir, pid)."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return []
    servers = []
    for path in sorted(Path(jupyter_runtime_dir()).glob("jpserver-*.json")):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(info, dict) and isinstance(info.get("url"), str):
            servers.append(info)
    return servers


def _serving(server: dict, folder: Path) -> bool:
    """True if ``folder`` lies under the server's root (so this notebook is likely one it serves)."""
    root = server.get("root_dir") or server.get("notebook_dir")
    if not isinstance(root, str):
        return False
    try:
        folder.resolve().relative_to(Path(root).expanduser().resolve())
    except ValueError:
        return False
    return True


def server_setting(server: dict, plugin: str = SUBSHELL_PLUGIN, key: str = "commsOverSubshells",
                   timeout: float = 2.0) -> str | None:
    """The value a running JupyterLab server applies for ``plugin``'s ``key`` (the user's setting, else the
    default it serves, which an environment's overrides.json replaces), or None if it cannot be read.

    ``server`` is a runtime-file dict with "url" and "token" (what ``jupyter server list --json`` prints).
    """
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        raise TypeError(f"server must be a dict with a 'url' (a Jupyter runtime file), got {type(server).__name__}")
    url = server["url"].rstrip("/") + f"/lab/api/settings/{plugin}"
    request = urllib.request.Request(url, headers={"Authorization": f"token {server.get('token', '')}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = json.loads(response.read().decode("utf-8"))
        user = data.get("settings") or {}
        return user[key] if key in user else data["schema"]["properties"][key]["default"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def lab_setting_check(folder: str | Path | None = None, servers: list[dict] | None = None) -> SetupCheck:
    """JupyterLab's ``commsOverSubshells`` as the server that serves ``folder`` (default: the working
    directory, the notebook's folder in a kernel) applies it; with no such server (nbval, VS Code, a
    remote hub), what the kernel's environment would give a JupyterLab started from it (reported only).
    """
    _check_prefix(folder)
    folder = Path(folder or os.getcwd())
    want = LAB_OVERRIDES[SUBSHELL_PLUGIN]["commsOverSubshells"]
    fix = ("in the environment JupyterLab runs from: python -m lstm_course.environment --install-lab-settings "
           "(or `make lab`), then restart JupyterLab")
    for server in (_running_servers() if servers is None else servers):
        if not _serving(server, folder):
            continue
        value = server_setting(server)
        if value is not None:
            return SetupCheck("JupyterLab widget setting", value == want, f"commsOverSubshells = {value}", fix,
                              where=f"the JupyterLab server at {server['url']}")
    installed = lab_overrides_installed()
    return SetupCheck("JupyterLab widget setting", installed,
                      f"commsOverSubshells = {want}" if installed else f"not set in {overrides_path()}", fix,
                      required=False,
                      where=f"no JupyterLab server found serving {folder}; read this kernel's environment ({sys.prefix})")


def setup_checks() -> list[SetupCheck]:
    """Everything notebook 00 reports: required checks (``required=True``) and information."""
    py = sys.version_info
    here = f"this kernel's environment ({sys.prefix})"
    checks = [SetupCheck("Python", py >= (3, 10), sys.version.split()[0], "install Python 3.10 or newer", where=here)]
    lines = course_requirements()
    if not lines:
        return checks + [SetupCheck("requirements.txt", False, "not found next to lstm_course, nor in its metadata",
                                    "install the course from its repository: pip install -e .", where=here)]
    kernel = [line for line in lines if _requirement_name(line) in KERNEL_PACKAGES]
    checks += [replace(c, where=here) for c in package_checks(kernel)]
    if all(c.ok for c in checks if c.name == "torch"):
        checks.append(replace(gpu_check(), required=False, where=here))
    others = [line for line in lines if line not in kernel]
    others += [line for line in (read_requirements(DEV_REQUIREMENTS) if DEV_REQUIREMENTS.exists() else [])
               if line not in lines]
    for c in package_checks(others):
        role = "JupyterLab: needed where the server runs" if c.name == "jupyterlab" else "maintainers' test tool"
        checks.append(replace(c, name=f"{c.name} ({role})", required=False, where=here))
    checks.append(lab_setting_check())
    return checks


def report_html(checks: list[SetupCheck]) -> str:
    """The checks as an HTML table: a tick, a cross (required and failing) or a note (information only),
    what was found, where it was looked for, and the fix."""
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, SetupCheck) for c in checks):
        raise TypeError(f"checks must be a list of SetupCheck, got {type(checks).__name__}")

    def mark(c: SetupCheck) -> str:
        return "✅" if c.ok else ("❌" if c.required else "ℹ️")

    rows = "".join(
        f"<tr><td>{mark(c)}</td><td>{html.escape(c.name)}</td><td>{html.escape(c.found)}</td>"
        f"<td>{html.escape(c.where)}</td><td>{'' if c.ok else html.escape(c.fix)}</td></tr>" for c in checks)
    return ("<table><tr><th></th><th>check</th><th>found</th><th>looked at</th><th>what to do</th></tr>"
            f"{rows}</table><p>✅ fine · ❌ must be fixed before the course runs · ℹ️ for information only</p>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.environment", description=__doc__.split("\n")[0])
    parser.add_argument("--install-lab-settings", action="store_true",
                        help="write JupyterLab's commsOverSubshells=disabled override into this environment")
    parser.add_argument("--lab-language", metavar="LOCALE",
                        help="JupyterLab's interface in this language (e.g. zh_CN; en for English): installs its "
                             "language pack with pip and writes the locale with the settings above")
    args = parser.parse_args(argv)
    if args.lab_language is not None:
        requirement = language_pack(args.lab_language)
        if requirement is not None:
            import subprocess

            command = [sys.executable, "-m", "pip", "install", requirement]
            print("+ " + " ".join(command), flush=True)
            if subprocess.run(command).returncode:
                return 1
        print(f"JupyterLab settings override written (locale {args.lab_language}): "
              f"{install_lab_overrides(locale=args.lab_language)}; reload JupyterLab's page to see it")
        return 0
    if args.install_lab_settings:
        print(f"JupyterLab settings override written: {install_lab_overrides()}")
        return 0
    checks = setup_checks()
    for c in checks:
        mark = "ok  " if c.ok else ("FIX " if c.required else "note")
        print(f"{mark} {c.name:28} {c.found}" + (f"  ->  {c.fix}" if c.fix and not c.ok else ""))
    return 0 if all(c.ok for c in checks if c.required) else 1


if __name__ == "__main__":
    sys.exit(main())
