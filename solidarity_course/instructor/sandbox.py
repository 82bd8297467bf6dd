"""A bubblewrap jail for one student's kernel: what it may see, and its limits.

Only the grader's *kernel* runs in the jail; nbgrader itself, the answer key and
the gradebook stay in the worker process outside it.  Inside the jail:

- no network (a new, empty network namespace), no view of other processes
  (PID namespace), no capabilities, a new session (no terminal injection);
- read-only: the system (``/usr``, ``/etc`` …) and the Python installation;
- the kernel's working folder is a small, size-limited tmpfs holding read-only
  copies (bind mounts) of the submission's own non-notebook files: the course
  folder, ``source/``, ``release/``, the gradebook and other students do not
  exist in the jail, and neither do the notebooks (the grader's copy has
  hidden tests restored);
- ``/tmp`` (also ``$HOME``) is a size-limited tmpfs, gone when the kernel ends;
- the only host folder it can write is the kernel's connection folder (ZeroMQ
  ``ipc`` sockets, since there is no network); the grader makes it read-only to
  the kernel's user once the kernel has bound its sockets (see
  :func:`lock_runtime_dir`).

Limits (``setrlimit``, inherited by everything the kernel starts): CPU seconds,
address space, number of processes, size of any file written, open files.
When the grader runs as root the kernel runs as a throwaway user id
(``UID_BASE + worker pid``), so the process limit counts only that kernel's
processes (root ignores ``RLIMIT_NPROC``); as an ordinary user the limit is
added on top of that user's current process count.  Output size is limited on
the grader's side (:mod:`.sandbox_kernel`).

Why hand-written: bubblewrap (Debian's ``bubblewrap``) does the isolation; this
module only chooses its arguments and limits, which no library does for a
Jupyter kernel.  Run ``python -m solidarity_course.instructor.sandbox --check``
to see whether the jail can start on this machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

#: Throwaway user ids for kernels when grading as root: UID_BASE + worker pid.
UID_BASE = 200_000
#: System folders shown read-only in the jail (those that exist).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/fonts",
               "/etc/alternatives", "/etc/ssl")
#: System files shown read-only (not the rest of /etc: no secrets such as /etc/shadow).
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group",
                "/etc/nsswitch.conf", "/etc/mime.types")


LAUNCHER_MODULE = "solidarity_course.instructor.sandbox"


class SandboxUnavailable(RuntimeError):
    """The jail cannot start here (message says why and what to do)."""


@dataclass(frozen=True)
class SandboxPolicy:
    """Limits of one kernel's jail (configurable as ``c.CourseGrade.sandbox_limits``).

    A plain dataclass, so that the launcher starts without importing pydantic;
    settings from the course are validated by pydantic (:meth:`from_settings`).
    """

    __pydantic_config__ = {"extra": "forbid"}

    cpu_seconds: int = 600
    memory_bytes: int = 2 * 1024**3
    processes: int = 64
    file_bytes: int = 64 * 1024**2
    open_files: int = 256
    tmp_bytes: int = 128 * 1024**2
    output_bytes: int = 8 * 1024**2

    def __post_init__(self):
        small = [f.name for f in fields(self) if getattr(self, f.name) < 1]
        if small:
            raise ValueError(f"{', '.join(small)} must be at least 1")

    @classmethod
    def from_settings(cls, settings: dict | None) -> SandboxPolicy:
        """A policy from a (possibly partial) dict; raises ValueError naming a bad limit."""
        from pydantic import TypeAdapter, ValidationError

        try:
            return TypeAdapter(cls).validate_python(dict(settings or {}))
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                name = ".".join(str(part) for part in error["loc"])
                if error["type"] == "unexpected_keyword_argument":
                    problems.append(f"unknown sandbox limit {name!r} (known: "
                                    f"{', '.join(f.name for f in fields(cls))})")
                elif name:
                    problems.append(f"sandbox limit {name!r}: {error['msg']}")
                else:
                    problems.append("sandbox limit " + error["msg"].removeprefix("Value error, "))
            raise ValueError("; ".join(problems)) from None

    @classmethod
    def from_json(cls, text: str) -> SandboxPolicy:
        """The policy written by :meth:`to_json` (trusted: made by the grader)."""
        return cls(**json.loads(text))

    def to_json(self) -> str:
        """The policy as JSON (passed to the launcher on its command line)."""
        return json.dumps(asdict(self), sort_keys=True)


def bwrap_path() -> str | None:
    """The ``bwrap`` executable, or None."""
    return shutil.which("bwrap")


def python_dirs() -> list[str]:
    """Folders the kernel's Python needs: the interpreter's prefix and the venv."""
    found = []
    for prefix in (sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parents[1])):
        real = os.path.realpath(prefix)
        if real not in found and not any(real.startswith(f + os.sep) for f in found):
            found.append(real)
    return found


def _visible_files(folder: Path) -> list[Path]:
    """The regular non-notebook files under ``folder`` (symlinks are never followed)."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in files:
            path = Path(root) / name
            if not path.is_symlink() and path.is_file() and path.suffix != ".ipynb":
                found.append(path)
    return sorted(found)


def _drop_to_throwaway_user() -> list[str]:
    """As root: ``setpriv`` to a throwaway uid with no capabilities (else nothing).

    It runs inside the jail, after bubblewrap (as root) has set up the mounts
    and before the kernel starts, so the kernel's files and processes belong to
    a user that owns nothing on the host and is subject to ``RLIMIT_NPROC``.
    """
    if os.geteuid() != 0:
        return []
    uid = UID_BASE + os.getpid()
    return ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--"]


class _Mounts:
    """bwrap mount arguments; each mount point's missing parents are made 0755 first.

    (As root, bwrap creates missing parents with mode 0700, which the kernel's
    throwaway user could not traverse.)
    """

    def __init__(self):
        self.args: list[str] = []
        self.made: set[str] = {"/"}

    def _parents(self, dest: str) -> None:
        for parent in reversed(Path(dest).parents):
            if str(parent) not in self.made:
                self.made.add(str(parent))
                self.args += ["--perms", "0755", "--dir", str(parent)]

    def add(self, option: str, source: str, dest: str) -> None:
        """``--ro-bind``/``--bind``/``--symlink`` ``source`` at ``dest``."""
        self._parents(dest)
        self.args += [option, source, dest]
        self.made.add(dest)

    def tmpfs(self, dest: str, size: int) -> None:
        """A world-writable (sticky) tmpfs of ``size`` bytes at ``dest``."""
        self._parents(dest)
        self.args += ["--perms", "01777", "--size", str(size), "--tmpfs", dest]
        self.made = {m for m in self.made if not m.startswith(dest.rstrip("/") + "/")}
        self.made.add(dest)


def bwrap_command(kernel_cmd: list[str], workdir: Path, runtime_dir: Path,
                  policy: SandboxPolicy) -> list[str]:
    """The full command line: bwrap with its mounts, (as root) setpriv, the kernel."""
    namespaces = (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                   "--unshare-cgroup-try"] if os.geteuid() == 0 else ["--unshare-all"])
    args = [bwrap_path() or "bwrap", *namespaces, "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--clearenv", "--proc", "/proc", "--dev", "/dev"]
    mounts = _Mounts()
    mounts.tmpfs("/tmp", policy.tmp_bytes)  # first: a Python or course under /tmp binds on top
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            mounts.add("--symlink", os.readlink(folder), folder)
        elif os.path.isdir(folder):
            mounts.add("--ro-bind", folder, folder)
    for name in SYSTEM_FILES:
        if os.path.exists(name):
            mounts.add("--ro-bind", name, name)
    for folder in python_dirs():
        mounts.add("--ro-bind", folder, folder)
    mounts.add("--bind", str(runtime_dir), str(runtime_dir))
    mounts.tmpfs(str(workdir), policy.tmp_bytes)
    for path in _visible_files(workdir):
        mounts.add("--ro-bind", str(path), str(path))
    args += mounts.args
    env = {"HOME": "/tmp", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
           "LANG": "C.UTF-8", "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.mpl",
           "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "NBGRADER_EXECUTION": "autograde"}
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--chdir", str(workdir), "--"]
    return args + _drop_to_throwaway_user() + kernel_cmd


def share_with_kernel(workdir: Path, runtime_dir: Path) -> None:
    """As root: let the kernel's throwaway user read its files and bind its sockets."""
    if os.geteuid() != 0:
        return
    for path in _visible_files(workdir):
        path.chmod(path.stat().st_mode | 0o444)
    for path in runtime_dir.iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(0o644)
    runtime_dir.chmod(0o777)


def lock_runtime_dir(runtime_dir: Path) -> None:
    """After the kernel has bound its sockets: no more files for its user there."""
    if os.geteuid() == 0:
        runtime_dir.chmod(0o755)


def own_process_count() -> int:
    """Processes (threads count, as for RLIMIT_NPROC) of this real user id."""
    import psutil

    me, total = os.getuid(), 0
    for proc in psutil.process_iter(["uids", "num_threads"]):
        try:
            if proc.info["uids"] and proc.info["uids"].real == me:
                total += proc.info["num_threads"] or 1
        except (psutil.Error, TypeError):
            continue
    return total


def apply_limits(policy: SandboxPolicy) -> None:
    """Set this process's resource limits (inherited by the jail and the kernel)."""
    processes = policy.processes if os.geteuid() == 0 else own_process_count() + policy.processes
    for limit, value in ((resource.RLIMIT_CPU, policy.cpu_seconds),
                         (resource.RLIMIT_AS, policy.memory_bytes),
                         (resource.RLIMIT_NPROC, processes),
                         (resource.RLIMIT_FSIZE, policy.file_bytes),
                         (resource.RLIMIT_NOFILE, policy.open_files),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


#: cgroup (v1) controllers and the settings written for each jail.
CGROUP_SETTINGS = {
    "cpu": lambda policy: {"cpu.shares": "1024"},
    "pids": lambda policy: {"pids.max": str(policy.processes)},
    "memory": lambda policy: {"memory.limit_in_bytes": str(policy.memory_bytes)},
}
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PREFIX = "course-grade-jail-"


def _own_cgroups() -> dict[str, Path]:
    """This process's cgroup (v1) folder per controller we use, where we may write."""
    found = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(","):
            folder = CGROUP_ROOT / name / path.lstrip("/")
            if name in CGROUP_SETTINGS and os.access(folder, os.W_OK):
                found[name] = folder
    return found


def jail_cgroups(pid: int) -> list[Path]:
    """The cgroup folders of the jail whose launcher had process id ``pid``."""
    return [folder / f"{CGROUP_PREFIX}{pid}" for folder in _own_cgroups().values()]


def join_jail_cgroups(policy: SandboxPolicy) -> list[str]:
    """Put this process (the launcher, soon the jail) in its own cgroups; controllers used.

    One group per jail and controller: ``cpu`` gives every jail the same share
    of the processor however many processes it starts (a fork bomb slows only
    itself), ``pids`` and ``memory`` cap the whole jail, not each process.
    Only where cgroup v1 controllers are writable (root on this kind of
    machine); elsewhere the rlimits alone apply.
    """
    joined = []
    for name, folder in _own_cgroups().items():
        group = folder / f"{CGROUP_PREFIX}{os.getpid()}"
        try:
            group.mkdir(exist_ok=True)
            for key, value in CGROUP_SETTINGS[name](policy).items():
                (group / key).write_text(value)
            (group / "cgroup.procs").write_text(str(os.getpid()))
            joined.append(name)
        except OSError:
            continue
    return joined


def remove_jail_cgroups(pid: int) -> None:
    """Remove a finished jail's cgroups (they must be empty; leftovers are harmless)."""
    for group in jail_cgroups(pid):
        try:
            group.rmdir()
        except OSError:
            pass


def remove_stale_jail_cgroups() -> None:
    """Remove the cgroups of jails whose launcher is gone (e.g. killed at a time limit)."""
    for folder in _own_cgroups().values():
        for group in folder.glob(f"{CGROUP_PREFIX}*"):
            pid = group.name.removeprefix(CGROUP_PREFIX)
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                try:
                    group.rmdir()
                except OSError:
                    pass


def launcher_command(kernel_cmd: list[str], runtime_dir: Path, policy: SandboxPolicy) -> list[str]:
    """The command a kernel manager runs instead of ``kernel_cmd`` (see :func:`main`)."""
    return [sys.executable, "-m", LAUNCHER_MODULE, "--policy", policy.to_json(),
            "--runtime-dir", str(runtime_dir), "--", *kernel_cmd]


def probe(timeout: float = 30) -> None:
    """Start a throwaway jail; raise :class:`SandboxUnavailable` if it cannot start."""
    if bwrap_path() is None:
        raise SandboxUnavailable("bubblewrap is not installed (Debian: apt-get install "
                                 "bubblewrap; 'make setup' installs it)")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cg-probe-") as tmp:
        work, runtime = Path(tmp) / "work", Path(tmp) / "run"
        work.mkdir()
        runtime.mkdir()
        os.chmod(runtime, 0o777)
        code = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)"
        cmd = launcher_command([sys.executable, "-c", code], runtime, SandboxPolicy())
        try:
            done = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"bubblewrap did not start: {exc}") from exc
        finally:
            remove_stale_jail_cgroups()
    if "Network is unreachable" not in done.stderr and "Errno 101" not in done.stderr:
        raise SandboxUnavailable("bubblewrap did not start a network-less jail: "
                                 + (done.stderr.strip().splitlines() or ["no output"])[-1])


def main(argv: list[str] | None = None) -> int:
    """Launcher: apply limits, then exec bwrap around the kernel command (cwd = workdir)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m solidarity_course.instructor.sandbox",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="start a test jail and report")
    parser.add_argument("--policy", default="{}", help="limits as JSON")
    parser.add_argument("--runtime-dir", help="the kernel's connection folder")
    parser.add_argument("kernel_cmd", nargs="*", help="the kernel's command line (after --)")
    args = parser.parse_args(argv)
    if args.check:
        try:
            probe()
        except SandboxUnavailable as exc:
            print(f"sandbox unavailable: {exc}", file=sys.stderr)
            return 1
        print("sandbox OK: bubblewrap starts a jail with no network")
        return 0
    policy = SandboxPolicy.from_json(args.policy)
    workdir, runtime_dir = Path.cwd(), Path(args.runtime_dir)
    share_with_kernel(workdir, runtime_dir)
    cmd = bwrap_command(args.kernel_cmd, workdir, runtime_dir, policy)
    join_jail_cgroups(policy)
    apply_limits(policy)
    os.execv(cmd[0], cmd)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main())
