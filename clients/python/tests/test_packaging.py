"""`pip install clients/python` into a fresh venv gives the module and the taskwire-client command; the single
file also works copied next to a script."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import CLIENT_DIR

PACKAGE_FILES = ("pyproject.toml", "README.md", "taskwire.py")


def test_pip_install_into_a_venv(taskwire_bin: str, tmp_path: Path) -> None:
    # Installed from a copy, so the build leaves nothing in the source tree.
    source = tmp_path / "src"
    source.mkdir()
    for name in PACKAGE_FILES:
        shutil.copy(CLIENT_DIR / name, source / name)
    env_dir = tmp_path / "venv"
    try:
        venv.EnvBuilder(with_pip=True).create(env_dir)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip("cannot create a venv here (%s)" % error)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        capture_output=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr.decode(errors="replace")
    script = env_dir / "bin" / "taskwire-client"
    done = subprocess.run(
        [str(script), "--spawn", "%s --in-memory" % taskwire_bin, "--raw", "ping"], capture_output=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (0, b"{}\n"), done.stderr
    check = "import taskwire, sys; sys.exit(0 if taskwire.__file__.startswith(sys.prefix) else 1)"
    assert subprocess.run([str(python), "-I", "-c", check], timeout=60).returncode == 0
    done = subprocess.run([str(python), "-I", "-m", "pip", "show", "taskwire"], capture_output=True, timeout=60)
    fields = dict(line.partition(":")[::2] for line in done.stdout.decode().splitlines())
    assert fields["Name"].strip() == "taskwire" and fields["Requires"].strip() == ""


def test_the_single_file_works_next_to_a_script(taskwire_bin: str, tmp_path: Path) -> None:
    shutil.copy(CLIENT_DIR / "taskwire.py", tmp_path / "taskwire.py")
    script = tmp_path / "bot.py"
    script.write_text(
        "import sys, subprocess, taskwire\n"
        "with taskwire.Client.spawn(sys.argv[1], args=['--in-memory'], stderr=subprocess.DEVNULL) as c:\n"
        "    print(c.create_task('From a copy'))\n"
    )
    # -s -E: no user site and no PYTHONPATH, so the copy beside the script is what gets imported.
    done = subprocess.run([sys.executable, "-s", "-E", str(script), taskwire_bin], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("tsk_")
