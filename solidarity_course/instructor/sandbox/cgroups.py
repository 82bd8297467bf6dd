"""One control group per jail, so that memory, processes and CPU are capped per jail.

A jail's launcher puts itself (hence bwrap and the kernel) into a group of its
own, ``course-grade-jail-<launcher pid>``, per controller:

- **cgroup v2** (the unified hierarchy): the grader first delegates a subtree,
  ``course-grade-jails`` below its own group, with the controllers this
  machine offers there enabled (:func:`delegate_v2`); each jail's group gets
  ``memory.max``, ``pids.max`` and ``cpu.max`` (at most one core).  A group
  with processes cannot hand controllers to its children, so where the
  grader's own group is not the root, the grader first moves its own
  processes into a leaf, ``course-grade-main`` (systemd's delegation model:
  run the grader under ``systemd-run --user --scope -p Delegate=yes`` to get
  such a group where the one you are in is not yours);
- **cgroup v1** (one hierarchy per controller): ``memory.limit_in_bytes``,
  ``pids.max`` and ``cpu.shares`` in the grader's own group of each
  controller, where it may write (root).

Each controller is taken from v2 where it is available there, else from v1
(hybrid machines bind some controllers to v1).  What is really in force is
what :func:`controllers_in_force` returns; :mod:`.check` reports it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .policy import SandboxPolicy

#: The controllers a jail is capped with.
CONTROLLERS = ("memory", "pids", "cpu")
CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "course-grade-jail-"
JAILS = "course-grade-jails"  # v2: the delegated parent of the jails' groups
MAIN = "course-grade-main"  # v2: the leaf the grader moves into to delegate its own group
#: cpu.max: at most one core per jail (quota and period in microseconds).
ONE_CORE = "100000 100000"


def v2_settings(controller: str, policy: SandboxPolicy) -> dict[str, str]:
    """The files written in a jail's v2 group for one controller."""
    return {"memory": {"memory.max": str(policy.memory_bytes)},
            "pids": {"pids.max": str(policy.processes)},
            "cpu": {"cpu.max": ONE_CORE}}[controller]


def v1_settings(controller: str, policy: SandboxPolicy) -> dict[str, str]:
    """The files written in a jail's v1 group for one controller."""
    return {"memory": {"memory.limit_in_bytes": str(policy.memory_bytes)},
            "pids": {"pids.max": str(policy.processes)},
            "cpu": {"cpu.shares": "1024"}}[controller]


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def v2_mount() -> Path | None:
    """Where the cgroup v2 hierarchy is mounted (None: nowhere)."""
    for line in _read(Path("/proc/self/mountinfo")).splitlines():
        mount, _, fs = line.partition(" - ")
        if fs.split(" ", 1)[0] == "cgroup2":
            return Path(mount.split()[4])
    return None


def own_groups() -> dict[str, str]:
    """This process's cgroup paths: ``"v2"`` and one per v1 controller."""
    found = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and not controllers:
            found["v2"] = path
        for name in controllers.split(","):
            if name in CONTROLLERS:
                found[name] = path
    return found


def own_v2() -> Path | None:
    """This process's cgroup v2 folder (None: no v2 hierarchy)."""
    mount, path = v2_mount(), own_groups().get("v2")
    return None if mount is None or path is None else mount / path.lstrip("/")


def jails_folder(own: Path) -> Path:
    """The delegated parent of the jails' v2 groups, seen from a group of the grader."""
    return (own.parent if own.name == MAIN else own) / JAILS


def _controllers(path: Path) -> set[str]:
    return set(_read(path).split()) & set(CONTROLLERS)


def _enable(folder: Path, names: set[str]) -> None:
    """Hand ``names`` to the children of ``folder`` (cgroup.subtree_control)."""
    missing = names - _controllers(folder / "cgroup.subtree_control")
    if missing:
        (folder / "cgroup.subtree_control").write_text(" ".join(f"+{n}" for n in sorted(missing)))


def _move_own_processes(own: Path) -> bool:
    """Move every process of ``own`` into its leaf ``MAIN``, if they are all ours."""
    import psutil

    me = psutil.Process()
    ours = {me.pid, *(p.pid for p in me.children(recursive=True))}
    pids = {int(p) for p in _read(own / "cgroup.procs").split()}
    if not pids <= ours:
        return False
    leaf = own / MAIN
    leaf.mkdir(exist_ok=True)
    for pid in sorted(pids):
        (leaf / "cgroup.procs").write_text(str(pid))
    return True


def delegate_v2(own: Path | None = None) -> tuple[Path | None, set[str], str]:
    """Prepare the jails' v2 parent: (its folder, controllers it hands on, why not all).

    Called once by the grader before any jail starts.  The folder is None when
    jails get no v2 group at all.
    """
    own = own if own is not None else own_v2()
    if own is None:
        return None, set(), "no cgroup v2 hierarchy is mounted"
    if not os.access(own, os.W_OK):
        return None, set(), (f"the grader's cgroup v2 group {own} is not writable: run it "
                             "under 'systemd-run --user --scope -p Delegate=yes'")
    base = own.parent if own.name == MAIN else own
    wanted = _controllers(base / "cgroup.controllers")
    why = ""
    if len(wanted) < len(CONTROLLERS):
        absent = ", ".join(sorted(set(CONTROLLERS) - wanted))
        why = (f"controller(s) {absent} not available in cgroup v2 at {base} (bound to a "
               "cgroup v1 hierarchy, or not delegated to this group)")
    try:
        _enable(base, wanted)
    except OSError:  # EBUSY: processes in a non-root group cannot hand on controllers
        try:
            if not _move_own_processes(base):
                return None, set(), (f"{base} holds processes that are not the grader's: run "
                                     "it under 'systemd-run --user --scope -p Delegate=yes'")
            _enable(base, wanted)
        except OSError as exc:
            return None, set(), f"cannot delegate cgroup v2 controllers in {base}: {exc}"
    jails = base / JAILS
    try:
        jails.mkdir(exist_ok=True)
        _enable(jails, wanted)
    except OSError as exc:
        return None, set(), f"cannot create {jails}: {exc}"
    return jails, delegated(jails), why


def delegated(jails: Path) -> set[str]:
    """The controllers the jails' v2 groups get (those enabled in ``jails``)."""
    return _controllers(jails / "cgroup.subtree_control")


def own_v1() -> dict[str, Path]:
    """This process's cgroup v1 folder per controller we use, where we may write."""
    found = {}
    for name, path in own_groups().items():
        folder = CGROUP_ROOT / name / path.lstrip("/")
        if name != "v2" and os.access(folder, os.W_OK) and (folder / "cgroup.procs").exists():
            found[name] = folder
    return found


def controllers_in_force(jails: Path | None = None) -> dict[str, str]:
    """Which hierarchy caps each controller for jails started now: ``{name: "v2"|"v1"}``."""
    if jails is None:
        own = own_v2()
        jails = jails_folder(own) if own is not None else None
    v2 = delegated(jails) if jails and jails.is_dir() else set()
    v1 = own_v1()
    return {name: "v2" if name in v2 else "v1" for name in CONTROLLERS if name in v2 or name in v1}


def join(policy: SandboxPolicy) -> dict[str, str]:
    """Put this process (the launcher, soon the jail) in its own groups; what caps it.

    v2 where the grader delegated a subtree (:func:`delegate_v2`), v1 for the
    other controllers where writable; a group that cannot be made is skipped
    (the rlimits still apply, and the run said so at its start).
    """
    joined: dict[str, str] = {}
    own, pid = own_v2(), str(os.getpid())
    jails = jails_folder(own) if own is not None else None
    if jails is not None and jails.is_dir():
        group = jails / f"{PREFIX}{pid}"
        try:
            group.mkdir(exist_ok=True)
            names = delegated(jails)
            for name in sorted(names):
                for key, value in v2_settings(name, policy).items():
                    (group / key).write_text(value)
            (group / "cgroup.procs").write_text(pid)
            joined |= dict.fromkeys(names, "v2")
        except OSError:
            pass
    for name, folder in own_v1().items():
        if name in joined:
            continue
        group = folder / f"{PREFIX}{pid}"
        try:
            group.mkdir(exist_ok=True)
            for key, value in v1_settings(name, policy).items():
                (group / key).write_text(value)
            (group / "cgroup.procs").write_text(pid)
            joined[name] = "v1"
        except OSError:
            continue
    return joined


def jail_groups(pid: int) -> list[Path]:
    """The groups (v2 and v1) of the jail whose launcher had process id ``pid``."""
    own = own_v2()
    parents = [jails_folder(own)] if own is not None else []
    return [folder / f"{PREFIX}{pid}" for folder in parents + list(own_v1().values())]


def _rmdir(group: Path) -> None:
    try:
        group.rmdir()
    except OSError:  # not empty yet, or gone: leftovers are removed by remove_stale
        pass


def remove(pid: int) -> None:
    """Remove a finished jail's groups (they must be empty)."""
    for group in jail_groups(pid):
        _rmdir(group)


def remove_stale() -> None:
    """Remove the groups of jails whose launcher is gone (e.g. killed at a time limit)."""
    own = own_v2()
    parents = [jails_folder(own)] if own is not None else []
    for folder in parents + list(own_v1().values()):
        for group in folder.glob(f"{PREFIX}*"):
            pid = group.name.removeprefix(PREFIX)
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                _rmdir(group)
