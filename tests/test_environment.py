"""Notebook 00's set-up checks and the JupyterLab override the lab command installs."""

import ast
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import nbformat
import pytest

from lstm_course import environment


def test_overrides_written_merged_and_detected(tmp_path):
    path = environment.overrides_path(tmp_path)
    assert not environment.lab_overrides_installed(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                                environment.SUBSHELL_PLUGIN: {"commsOverSubshells": "perCommTarget", "x": 1}}))
    environment.install_lab_overrides(tmp_path)
    written = json.loads(path.read_text())
    assert written[environment.SUBSHELL_PLUGIN] == {"commsOverSubshells": "disabled", "x": 1}
    assert written["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}   # kept
    assert environment.lab_overrides_installed(tmp_path)


def test_broken_overrides_file_is_a_clear_error(tmp_path):
    path = environment.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="overrides.json is not valid JSON"):
        environment.install_lab_overrides(tmp_path)
    assert not environment.lab_overrides_installed(tmp_path)


def test_the_setting_name_exists_in_installed_jupyterlab():
    schema = (environment.overrides_path().parents[1] / "schemas" / "@jupyterlab" / "apputils-extension"
              / "kernels-settings.json")
    prop = json.loads(schema.read_text())["properties"]["commsOverSubshells"]
    assert "disabled" in [choice["const"] for choice in prop["oneOf"]]


def test_this_environment_passes_every_check():
    failed = [c for c in environment.setup_checks() if not c.ok]
    assert not failed, failed


def test_package_checks_report_missing_and_out_of_range():
    missing, old = environment.package_checks(["surely-not-installed-pkg>=1", "numpy<1.0"])
    assert not missing.ok and missing.found == "not installed" and "pip install" in missing.fix
    assert not old.ok and old.fix == "pip install 'numpy<1.0'"


def test_cli_installs_into_the_current_prefix(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert environment.main(["--install-lab-settings"]) == 0
    assert environment.lab_overrides_installed(tmp_path)
    assert str(tmp_path) in capsys.readouterr().out


def test_report_shows_a_fix_only_where_something_is_wrong():
    report = environment.report_html([environment.SetupCheck("numpy", True, "2.4.6", "pip install numpy"),
                                      environment.SetupCheck("torch", False, "not installed", "pip install 'torch==2.13.0'")])
    assert report.count("pip install") == 1 and "torch==2.13.0" in report
    assert "✅" in report and "❌" in report


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", "must hold a JSON object ({...}) of plugin settings, got a JSON list"),
    ("42", "got a JSON int"),
    ('"text"', "got a JSON str"),
    (json.dumps({environment.SUBSHELL_PLUGIN: ["disabled"]}), "must be a JSON object, got a JSON list"),
])
def test_overrides_file_of_the_wrong_shape_is_a_clear_error(tmp_path, content, message):
    path = environment.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(ValueError) as info:
        environment.install_lab_overrides(tmp_path)
    assert message in str(info.value) and "fix or remove it" in str(info.value)
    assert not environment.lab_overrides_installed(tmp_path)
    assert path.read_text() == content  # left as it was


@pytest.mark.parametrize("call, error, message", [
    (lambda: environment.package_checks("numpy"), TypeError,
     "requirements must be a list of requirement lines such as ['numpy>=2.0'], got str 'numpy'"),
    (lambda: environment.package_checks([3]), TypeError, "requirements[0] must be a requirement line (str), got int"),
    (lambda: environment.package_checks(["numpy>=>2"]), ValueError, "requirements[0] is not a requirement line"),
    (lambda: environment.overrides_path(3), TypeError, "prefix must be a folder (str or Path) or None, got int"),
    (lambda: environment.read_requirements(None), TypeError, "path must be a file path (str or Path), got NoneType"),
    (lambda: environment.read_requirements("/no/such/file.txt"), ValueError,
     "path must be an existing requirements file, got '/no/such/file.txt'"),
    (lambda: environment.report_html("ok"), TypeError, "checks must be a list of SetupCheck, got str"),
    (lambda: environment.server_setting("http://localhost:8888"), TypeError,
     "server must be a dict with a 'url' (a Jupyter runtime file), got str"),
    (lambda: environment.lab_setting_check(folder=3), TypeError, "prefix must be a folder (str or Path) or None"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


ROOT = Path(__file__).resolve().parents[1]


def _third_party_imports() -> set[str]:
    """Top-level modules imported by lstm_course and by the notebooks' code cells, standard library left out."""
    # site.py builds the static site (make site) where JupyterLab runs: nbconvert and nbclient come with
    # JupyterLab, and no notebook imports it
    sources = [p.read_text() for p in (ROOT / "lstm_course").rglob("*.py") if p != ROOT / "lstm_course" / "site.py"]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        sources += ["\n".join(l for l in c.source.splitlines() if not l.startswith(("%", "!")))
                    for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "lstm_course"}


def test_notebook_00_checks_exactly_what_the_notebooks_import():
    """KERNEL_PACKAGES is what setup_checks asserts: every import of the course, and nothing the course never imports."""
    from importlib import metadata

    dists_of = metadata.packages_distributions()              # module -> the distributions that provide it
    needed = {d.lower() for m in _third_party_imports() for d in dists_of.get(m, [m])}
    kernel_own = {"ipython", "jupyter_core", "jupyter-core"}          # these come with the kernel itself
    needed = {"ipykernel" if d in kernel_own else d for d in needed}
    assert needed == set(environment.KERNEL_PACKAGES), needed ^ set(environment.KERNEL_PACKAGES)
    kernel_lines = [l for l in environment.read_requirements()
                    if environment._requirement_name(l) in environment.KERNEL_PACKAGES]
    assert len(kernel_lines) == len(environment.KERNEL_PACKAGES)       # each is pinned in requirements.txt


def test_only_what_the_notebooks_need_is_required():
    checks = environment.setup_checks()
    required = {c.name for c in checks if c.required}
    assert required - {"Python", "JupyterLab widget setting"} == set(environment.KERNEL_PACKAGES)
    info = {c.name.split(" ")[0] for c in checks if not c.required}
    assert {"pytest", "nbval", "playwright", "jupyterlab", "GPU"} <= info
    assert all(c.where for c in checks)           # each says which environment or server it looked at


def test_a_failing_report_only_line_does_not_fail_the_setup():
    report = environment.report_html([environment.SetupCheck("pytest (maintainers' test tool)", False, "not installed",
                                                             "pip install pytest", required=False, where="here")])
    rows = report.split("<p>")[0]               # the legend below the table names every mark
    assert "ℹ️" in rows and "❌" not in rows


class _Settings(BaseHTTPRequestHandler):
    """A stand-in for JupyterLab's settings API: GET /lab/api/settings/<plugin> with a token."""

    reply: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        ok = self.headers.get("Authorization") == "token secret" and self.path.endswith(environment.SUBSHELL_PLUGIN)
        body = json.dumps(self.reply).encode() if ok else b"{}"
        self.send_response(200 if ok else 403)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _schema(default: str) -> dict:
    return {"properties": {"commsOverSubshells": {"default": default}}}


@pytest.fixture
def lab_server(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Settings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/", "token": "secret", "root_dir": str(tmp_path)}
    server.shutdown()


@pytest.mark.parametrize("reply, value", [
    ({"settings": {}, "schema": _schema("disabled")}, "disabled"),            # overrides.json changed the default
    ({"settings": {}, "schema": _schema("perCommTarget")}, "perCommTarget"),  # JupyterLab's own default
    ({"settings": {"commsOverSubshells": "perComm"}, "schema": _schema("disabled")}, "perComm"),  # the user's choice wins
])
def test_the_setting_is_read_from_the_server_that_serves_the_notebook(lab_server, tmp_path, reply, value):
    _Settings.reply = reply
    assert environment.server_setting(lab_server) == value
    check = environment.lab_setting_check(folder=tmp_path, servers=[lab_server])
    assert check.required and check.ok == (value == "disabled")
    assert check.found == f"commsOverSubshells = {value}" and lab_server["url"] in check.where


def test_a_server_of_another_folder_or_one_that_does_not_answer_is_not_used(lab_server, tmp_path):
    _Settings.reply = {"settings": {}, "schema": _schema("perCommTarget")}
    elsewhere = dict(lab_server, root_dir=str(tmp_path / "other"))
    wrong_token = dict(lab_server, token="nope")
    for servers in ([elsewhere], [wrong_token], []):
        check = environment.lab_setting_check(folder=tmp_path, servers=servers)
        assert not check.required and "no JupyterLab server found" in check.where and sys.prefix in check.where
    assert environment.server_setting(wrong_token) is None


def _lab_schema(plugin: str) -> dict:
    """The JSON schema of a JupyterLab plugin's settings, as the installed JupyterLab ships it."""
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    package, name = plugin.split(":")
    path = schemas / package / f"{name}.json"
    if not path.exists():
        pytest.skip(f"JupyterLab's schemas are not in this environment ({path})")
    return json.loads(path.read_text())


def test_the_chinese_interface_is_one_more_setting_in_the_same_override(tmp_path):
    """make lab LAB_LANG=zh_CN: the locale goes into the overrides.json that holds the widget setting."""
    path = environment.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/notebook-extension:tracker": {"maxNumberOutputs": 10}}))
    environment.install_lab_overrides(tmp_path, locale="zh_CN")
    assert json.loads(path.read_text()) == {
        "@jupyterlab/notebook-extension:tracker": {"maxNumberOutputs": 10},
        "@jupyterlab/apputils-extension:kernels-settings": {"commsOverSubshells": "disabled"},
        "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"},
    }
    assert environment.lab_overrides_installed(tmp_path)
    environment.install_lab_overrides(tmp_path)                      # a later plain set-up keeps the language
    assert json.loads(path.read_text())[environment.TRANSLATION_PLUGIN] == {"locale": "zh_CN"}
    environment.install_lab_overrides(tmp_path, locale="en")         # make lab LAB_LANG=en: English again
    assert json.loads(path.read_text())[environment.TRANSLATION_PLUGIN] == {"locale": "en"}
    for plugin, settings in environment.lab_overrides("zh_CN").items():   # real plugin ids and keys
        assert set(settings) <= set(_lab_schema(plugin)["properties"]), plugin


@pytest.mark.parametrize("locale, requirement", [
    ("zh_CN", "jupyterlab-language-pack-zh-CN>=4.4,<5"),
    ("fr_FR", "jupyterlab-language-pack-fr-FR>=4.4,<5"),
    ("en", None), ("en_US", None), ("default", None),
])
def test_the_language_pack_pip_installs(locale, requirement):
    assert environment.language_pack(locale) == requirement


@pytest.mark.parametrize("call, error, message", [
    (lambda: environment.language_pack("zh-CN"), ValueError, "locale must be a language_COUNTRY code"),
    (lambda: environment.lab_overrides(3), TypeError, "locale must be a str"),
    (lambda: environment.install_lab_overrides(locale="chinese"), ValueError, "got 'chinese'"),
])
def test_bad_locales_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_make_lab_lab_lang_runs_the_language_option():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "$(BIN)/python -m lstm_course.environment --lab-language $(LAB_LANG)" in makefile


def test_an_installed_copy_without_its_checkout_reads_the_requirements_from_its_metadata(monkeypatch, tmp_path):
    """pip install . (no requirements.txt beside the package): notebook 00 checks the same lines, from the metadata."""
    with_file = {c.name: (c.ok, c.required) for c in environment.setup_checks() if c.name != "JupyterLab widget setting"}
    lines = environment.read_requirements()
    monkeypatch.setattr(environment, "REQUIREMENTS", tmp_path / "requirements.txt")     # not there
    monkeypatch.setattr(environment.metadata, "requires", lambda name: [*lines, 'pytest; extra == "dev"'])
    from_metadata = {c.name: (c.ok, c.required) for c in environment.setup_checks()
                     if c.name != "JupyterLab widget setting"}
    assert environment.course_requirements() == lines
    assert {n: v for n, v in from_metadata.items() if v[1]} == {n: v for n, v in with_file.items() if v[1]}
    assert "requirements.txt" not in from_metadata

    def not_installed(name):
        raise environment.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(environment.metadata, "requires", not_installed)
    missing = [c for c in environment.setup_checks() if c.name == "requirements.txt"]
    assert len(missing) == 1 and not missing[0].ok and missing[0].required and "pip install -e ." in missing[0].fix


def test_the_package_declares_requirements_txt_as_its_dependencies():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11+")

    project = tomllib.loads((environment.REQUIREMENTS.parent / "pyproject.toml").read_text())
    assert project["project"]["dynamic"] == ["dependencies"] and "dependencies" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
