"""Notebook 00's set-up checks and the JupyterLab override the lab command installs."""

import json
import sys

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
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
