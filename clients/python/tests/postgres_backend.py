#!/usr/bin/env python3
"""Runs taskwire on PostgreSQL wherever a test gives it a data directory.

`scripts/test` runs the Python suite a second time with ``TASKWIRE_BIN`` pointing here and
``TASKWIRE_REAL_BIN`` at the binary. Every ``--data-dir DIR`` (serving, ``token create``, ``export``,
``import``) becomes ``--postgres`` on a database of its own for that DIR, created and migrated with
``taskwire migrate`` the first time DIR is named, so a test that stops a server and starts another on the
same directory, or mints a token into it first, finds its data in the same database; a server also gets
``--outbox DIR/outbox``, where a data directory keeps its emails. The binary runs unmodified; tests about
the files of a data directory are marked ``file_store`` and skipped in this run (``TASKWIRE_TEST_BACKEND``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import List


def database_for(directory: str) -> str:
    """The database standing in for ``directory``, created and migrated on first use."""
    path = Path(directory).resolve()
    name = "twdir_" + hashlib.sha256(str(path).encode()).hexdigest()[:24]
    host = os.environ["TASKWIRE_TEST_POSTGRES_HOST"]
    conninfo = "host=%s user=taskwire dbname=%s" % (host, name)
    # The marker lives beside the directory's path (in the test's own temporary directory), so a second
    # name of the same directory in the same test finds the database made already.
    marker = path.parent / (".postgres-" + path.name)
    if not marker.exists():
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-U", "taskwire", "-d", "postgres",
             "-c", "CREATE DATABASE %s" % name],
            check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [os.environ["TASKWIRE_REAL_BIN"], "migrate", "--postgres", conninfo],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return conninfo


#: The words that start a subcommand rather than a server.
SUBCOMMANDS = {"export", "import", "check", "migrate", "token", "basic"}


def rewrite(arguments: List[str]) -> List[str]:
    serving = not arguments or arguments[0] not in SUBCOMMANDS
    named_outbox = any(a in ("--outbox", "--sendmail") or a.startswith(("--outbox=", "--sendmail=")) for a in arguments)
    result: List[str] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        directory = None
        if argument == "--data-dir" and index + 1 < len(arguments):
            directory = arguments[index + 1]
            index += 1
        elif argument.startswith("--data-dir="):
            directory = argument[len("--data-dir="):]
        if directory is None:
            result.append(argument)
        else:
            result += ["--postgres", database_for(directory)]
            if serving and not named_outbox:
                # Where a data directory would keep its outbox, so the tests find the emails there.
                result += ["--outbox", str(Path(directory) / "outbox")]
        index += 1
    return result


def main() -> None:
    binary = os.environ["TASKWIRE_REAL_BIN"]
    os.execv(binary, [binary] + rewrite(sys.argv[1:]))


if __name__ == "__main__":
    main()
