"""What a user installs: the wheel's contents, its entry points and dependencies, and the CI pins.

The wheel is $TENSORCTS_WHEEL when set (.ci/run passes the one it built), else built here once.
"""

import configparser
import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from tensorcts.harness.spec import AREAS

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / ".ci" / "constraints.txt"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    path = os.environ.get("TENSORCTS_WHEEL")
    if not path:
        out = tmp_path_factory.mktemp("dist")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                       check=True, timeout=600)
        (path,) = out.glob("tensorcts-*.whl")
    with zipfile.ZipFile(path) as zf:
        yield zf


def _metadata(wheel: zipfile.ZipFile):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_nothing_but_tensorcts_at_the_top_level(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"tensorcts"}


def test_spec_and_expectations_are_package_data(wheel):
    names = set(wheel.namelist())
    assert {f"tensorcts/spec/{area}.md" for area in AREAS} <= names
    assert "tensorcts/spec/rule-ids.txt" in names
    tomls = {f"tensorcts/adapters/expectations/{p.name}" for p in (ROOT / "adapters" / "expectations").glob("*.toml")}
    assert tomls and tomls <= names


def test_plugin_and_console_script_entry_points(wheel):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(name).decode())
    assert entry_points["pytest11"]["tensorcts"] == "tensorcts.harness.plugin"
    assert entry_points["console_scripts"]["tensorcts"] == "tensorcts.cli:main"


def test_user_extras_never_pin(wheel):
    requires = _metadata(wheel).get_all("Requires-Dist")
    assert any(r.startswith("torch>=2.4") and 'extra == "torch"' in r for r in requires), requires
    assert not [r for r in requires if "==" in r.split(";")[0]], "an exact pin in a user-facing requirement"


def test_ci_and_tox_install_with_the_constraints_file():
    pins = [line for line in CONSTRAINTS.read_text().splitlines() if line and not line.startswith("#")]
    assert "torch==2.13.0" in pins and all("==" in p for p in pins)
    assert ".ci/constraints.txt" in (ROOT / ".ci" / "run").read_text()
    assert "/.ci/constraints.txt" in (ROOT / "tox.ini").read_text()


def test_nothing_outside_the_repository_is_read():
    for path in (ROOT / ".ci" / "run", ROOT / "tox.ini"):
        assert "../" not in path.read_text() and "shared/" not in path.read_text(), path
