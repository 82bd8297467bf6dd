"""The bubblewrap command line of one kernel's jail: what the kernel may see.

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

When the grader runs as root the kernel runs as a throwaway user id
(``UID_BASE + launcher pid``), so it owns nothing on the host and the process
limit counts only that kernel's processes.  Why hand-written: bubblewrap
(Debian's ``bubblewrap``) does the isolation; this module only chooses its
arguments, which no library does for a Jupyter kernel.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .policy import SandboxPolicy

#: Throwaway user ids for kernels when grading as root: UID_BASE + worker pid.
UID_BASE = 200_000
#: System folders shown read-only in the jail (those that exist).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/fonts",
               "/etc/alternatives", "/etc/ssl")
#: System files shown read-only (not the rest of /etc: no secrets such as /etc/shadow).
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group",
                "/etc/nsswitch.conf", "/etc/mime.types")


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
