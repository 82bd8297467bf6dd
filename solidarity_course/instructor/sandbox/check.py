"""What isolation and which limits are really in force for jails started here.

``course-grade check`` (or ``python -m solidarity_course.instructor.sandbox
--check``) prints it; autograde says, once at the start of a run and in its
report, every limit that is weaker than the policy asks (:func:`notices`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import cgroups
from .policy import SandboxPolicy, SandboxUnavailable

GROUP_FILES = {("memory", "v2"): "memory.max", ("memory", "v1"): "memory.limit_in_bytes",
               ("pids", "v2"): "pids.max", ("pids", "v1"): "pids.max",
               ("cpu", "v2"): "cpu.max (one core)", ("cpu", "v1"): "cpu.shares (equal share)"}


@dataclass(frozen=True)
class Limit:
    """One limit and how it is enforced."""

    name: str
    value: str
    how: str
    as_intended: bool  # False: weaker than the policy asks (said at the start of a run)


def _group(controller: str, version: str | None) -> str:
    return f"cgroup {version} {GROUP_FILES[controller, version]} per jail" if version else ""


def limits_in_force(policy: SandboxPolicy, jails: Path | None = None) -> list[Limit]:
    """Every limit of ``policy`` and how jails started now enforce it."""
    groups = cgroups.controllers_in_force(jails)
    root = os.geteuid() == 0
    gib = policy.memory_bytes / 1024**3
    limits = [Limit("memory", f"{gib:g} GiB", _group("memory", groups.get("memory"))
                    or "address space per process only (RLIMIT_AS): the jail's processes "
                    "together can use more", "memory" in groups)]
    if "pids" in groups:
        limits.append(Limit("processes", str(policy.processes), _group("pids", groups["pids"]),
                            True))
    else:
        limits.append(Limit("processes", str(policy.processes),
                            "RLIMIT_NPROC of the jail's throwaway user id" if root else
                            "RLIMIT_NPROC on top of your own user's processes (not per jail)",
                            root))
    limits.append(Limit("cpu share", "one jail's share", _group("cpu", groups.get("cpu"))
                        or "none: a jail running many processes slows the others",
                        "cpu" in groups))
    limits += [Limit("cpu time", f"{policy.cpu_seconds} s", "RLIMIT_CPU per process", True),
               Limit("file size", f"{policy.file_bytes} bytes", "RLIMIT_FSIZE per process", True),
               Limit("open files", str(policy.open_files), "RLIMIT_NOFILE per process", True),
               Limit("/tmp and working folder", f"{policy.tmp_bytes} bytes each", "tmpfs size",
                     True),
               Limit("output", f"{policy.output_bytes} bytes per notebook",
                     "dropped by the grader", True)]
    return limits


def notices(limits: list[Limit]) -> list[str]:
    """One sentence per limit weaker than asked (empty when all are as intended)."""
    return [f"{limit.name} limit not enforced per jail: {limit.how}"
            for limit in limits if not limit.as_intended]


def isolation() -> str:
    """The isolation of a jail (that :func:`~.launcher.probe` has started)."""
    user = ("a throwaway user id with no capabilities" if os.geteuid() == 0
            else "your user id, no capabilities")
    return ("bubblewrap jail: no network, own PID/IPC/UTS namespaces, read-only system "
            f"and Python, private /tmp and working folder, {user}")


def describe(policy: SandboxPolicy, jails: Path | None, why: str) -> str:
    """The text ``check`` prints (also written beside an autograde report)."""
    lines = [f"isolation: {isolation()}"]
    lines += [f"{limit.name}: {limit.value}: {limit.how}"
              for limit in limits_in_force(policy, jails)]
    if jails is not None:
        handed = ", ".join(sorted(cgroups.delegated(jails))) or "none"
        lines.append(f"cgroup v2: jail groups in {jails}; controllers there: {handed}")
    if why:
        lines.append(f"cgroup v2: {why}")
    return "\n".join(lines) + "\n"


def main(policy: SandboxPolicy | None = None) -> int:
    """Print the isolation and limits in force; 1 when the jail cannot start."""
    from .launcher import probe

    policy = policy or SandboxPolicy()
    try:
        probe()
    except SandboxUnavailable as exc:
        print(f"isolation: NONE: the sandbox cannot start: {exc}")
        return 1
    jails, _enabled, why = cgroups.delegate_v2()
    print(describe(policy, jails, why), end="")
    for text in notices(limits_in_force(policy, jails)):
        print(f"NOTICE: {text}")
    return 0
