"""Child processes of the Kafka edge (the embedded broker, replay workers), started so that
none outlives its parent: each in its own session (a terminal's Ctrl-C reaches the parent,
which stops its children in order), stopped by its own pid, and given a parent-death signal
where util-linux `setpriv` exists, so that even a SIGKILLed parent leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def spawn(argv: Sequence[str], *, log: Path, death_signal: str = "KILL",
          env: Mapping[str, str] | None = None, cwd: Path | None = None
          ) -> subprocess.Popen[bytes]:
    """Start `argv` in its own session, stdout and stderr appended to `log`.

    The parent-death signal follows the thread that starts the child: start children from
    the main thread.
    """
    setpriv = shutil.which("setpriv")
    command = list(argv)
    if setpriv is not None:
        command = [setpriv, "--pdeathsig", death_signal, "--", *command]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True, close_fds=True,
                                env=dict(env) if env is not None else None, cwd=cwd)


def stop(proc: subprocess.Popen[bytes], timeout: float, *, kill: bool = False) -> int:
    """SIGTERM (or SIGKILL) the child's process group, SIGKILL it if it lingers; its status."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    return proc.returncode


def tail(path: Path, limit: int = 3000) -> str:
    """The end of a log file, for error messages."""
    if not path.exists():
        return "(no log)"
    text = path.read_bytes()[-limit:].decode("utf-8", errors="replace").strip()
    return text or "(empty log)"
