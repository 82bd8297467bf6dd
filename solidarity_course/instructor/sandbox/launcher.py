"""The jail launcher: the command a kernel manager runs instead of the kernel's.

``python -m solidarity_course.instructor.sandbox --policy JSON --runtime-dir DIR
-- KERNEL COMMAND`` (run with the kernel's working folder as current folder)
shares the kernel's files with its user, joins the jail's own control groups
(:mod:`.cgroups`), sets the per-process limits (``setrlimit``, inherited by
everything the kernel starts: CPU seconds, address space, processes, size of a
written file, open files), then replaces itself with bwrap (:mod:`.bwrap`).
As an ordinary user the process limit is added on top of that user's current
process count (``RLIMIT_NPROC`` counts the user's processes; root's throwaway
user id counts only the jail's).  Output size is limited on the grader's side
(:mod:`..sandbox_kernel`).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from . import cgroups
from .bwrap import bwrap_command, bwrap_path, share_with_kernel
from .policy import SandboxPolicy, SandboxUnavailable

LAUNCHER_MODULE = "solidarity_course.instructor.sandbox"


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


def launcher_command(kernel_cmd: list[str], runtime_dir: Path, policy: SandboxPolicy) -> list[str]:
    """The command a kernel manager runs instead of ``kernel_cmd`` (see :func:`main`)."""
    return [sys.executable, "-m", LAUNCHER_MODULE, "--policy", policy.to_json(),
            "--runtime-dir", str(runtime_dir), "--", *kernel_cmd]


def probe(timeout: float = 30) -> None:
    """Start a throwaway jail; raise :class:`SandboxUnavailable` if it cannot start."""
    if bwrap_path() is None:
        raise SandboxUnavailable("bubblewrap is not installed (Debian: apt-get install "
                                 "bubblewrap; 'make setup' installs it)")
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
            cgroups.remove_stale()
    if "Network is unreachable" not in done.stderr and "Errno 101" not in done.stderr:
        raise SandboxUnavailable("bubblewrap did not start a network-less jail: "
                                 + (done.stderr.strip().splitlines() or ["no output"])[-1])


def main(argv: list[str] | None = None) -> int:
    """Launcher: groups and limits, then exec bwrap around the kernel (cwd = workdir).

    ``--check`` instead prints what isolation and limits are in force here.
    """
    import argparse

    parser = argparse.ArgumentParser(prog=f"python -m {LAUNCHER_MODULE}",
                                     description="Start a kernel in the grading jail.")
    parser.add_argument("--check", action="store_true",
                        help="start a test jail and print the isolation and limits in force")
    parser.add_argument("--policy", default="{}", help="limits as JSON")
    parser.add_argument("--runtime-dir", help="the kernel's connection folder")
    parser.add_argument("kernel_cmd", nargs="*", help="the kernel's command line (after --)")
    args = parser.parse_args(argv)
    if args.check:
        from .check import main as check

        return check()
    policy = SandboxPolicy.from_json(args.policy)
    workdir, runtime_dir = Path.cwd(), Path(args.runtime_dir)
    share_with_kernel(workdir, runtime_dir)
    cmd = bwrap_command(args.kernel_cmd, workdir, runtime_dir, policy)
    cgroups.join(policy)
    apply_limits(policy)
    os.execv(cmd[0], cmd)
    return 127  # not reached
