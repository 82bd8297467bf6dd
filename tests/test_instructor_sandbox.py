"""The sandbox's control groups (cgroup v2 and v1), its honesty about limits, and cleanup."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from solidarity_course.instructor import sandbox as sandbox_module
from solidarity_course.instructor.autograde import AutogradeReport, sandbox_policy
from solidarity_course.instructor.course import CourseGrade
from solidarity_course.instructor.sandbox import SandboxPolicy, cgroups, launcher_command
from solidarity_course.instructor.sandbox.check import limits_in_force, notices
from solidarity_course.instructor.sandbox_kernel import (
    KERNEL_WITHOUT_DEBUGGER,
    PrivateKernelManager,
    SandboxedKernelManager,
    without_debugger,
)

POLICY = SandboxPolicy(processes=16, memory_bytes=300 * 1024**2)

#: Run in a child: join the jail's groups, then report them and the files of the v2 group.
JOIN = """
import json, os
from pathlib import Path
from solidarity_course.instructor.sandbox import SandboxPolicy, cgroups
joined = cgroups.join(SandboxPolicy.from_json({policy!r}))
own = cgroups.own_v2()
files = {{name: (own / name).read_text().strip() for name in
         ("memory.max", "pids.max", "cpu.max") if (own / name).exists()}}
print(json.dumps({{"pid": os.getpid(), "joined": joined, "own": str(own),
                  "cgroup": Path("/proc/self/cgroup").read_text(), "files": files}}))
"""


def join_in_child(policy: SandboxPolicy) -> dict:
    done = subprocess.run([sys.executable, "-c", JOIN.format(policy=policy.to_json())],
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_a_jail_joins_its_own_cgroup_v2_group_on_this_machine():
    if cgroups.v2_mount() is None:
        pytest.skip("this machine has no cgroup v2 hierarchy at all")
    jails, enabled, why = cgroups.delegate_v2()
    print(f"cgroup v2 here: jails folder {jails}, controllers {sorted(enabled)}; {why}")
    if jails is None:  # only where the grader's own v2 group is not ours to delegate
        assert "systemd-run --user --scope -p Delegate=yes" in why
        return
    child = join_in_child(POLICY)
    group = jails / f"{cgroups.PREFIX}{child['pid']}"
    mount = cgroups.v2_mount()
    assert f"0::/{group.relative_to(mount)}\n" in child["cgroup"], child["cgroup"]
    assert child["own"] == str(group)
    expected = {"memory": ("memory.max", str(POLICY.memory_bytes)),
                "pids": ("pids.max", str(POLICY.processes)), "cpu": ("cpu.max", cgroups.ONE_CORE)}
    for name in enabled:  # every controller handed on is set in the jail's group
        file, value = expected[name]
        assert child["files"][file] == value
        assert child["joined"][name] == "v2"
    for name, version in child["joined"].items():  # the others came from v1, not v2
        assert version == ("v2" if name in enabled else "v1")
    cgroups.remove(child["pid"])
    assert not group.exists()
    in_force = {limit.name: limit for limit in limits_in_force(POLICY, jails)}
    assert in_force["memory"].as_intended == ("memory" in child["joined"])
    pids = child["joined"].get("pids")  # v2 where it has the controller, else v1
    if pids:
        assert fork_until_capped(processes=5).startswith("capped"), f"{pids} pids.max ignored"
    print(f"pids.max enforced through: {pids or 'neither v2 nor v1 here'}")


def fork_until_capped(processes: int) -> str:
    """Join a jail's groups in a child, which then starts sleeps until the cap stops it."""
    code = ("import subprocess\nfrom solidarity_course.instructor.sandbox import SandboxPolicy,"
            f" cgroups\ncgroups.join(SandboxPolicy(processes={processes}))\nprocs = []\n"
            "try:\n    for _ in range(20): procs.append(subprocess.Popen(['sleep', '5']))\n"
            "except OSError: print('capped', len(procs))\nfor p in procs: p.kill()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    return done.stdout


def fake_v2(root: Path, controllers: str) -> Path:
    """A cgroup v2 folder as the kernel shows it: own group, delegated controllers."""
    own = root / "grader.scope"
    jails = own / cgroups.JAILS
    jails.mkdir(parents=True)
    for folder in (own, jails):
        (folder / "cgroup.controllers").write_text(controllers + "\n")
        (folder / "cgroup.subtree_control").write_text(controllers + "\n")
        (folder / "cgroup.procs").write_text("")
    return own


def test_v2_jail_groups_get_memory_pids_and_cpu_max(tmp_path, monkeypatch):
    own = fake_v2(tmp_path, "cpuset cpu io memory hugetlb pids")
    monkeypatch.setattr(cgroups, "own_v2", lambda: own)
    monkeypatch.setattr(cgroups, "own_v1", dict)
    jails, enabled, why = cgroups.delegate_v2()
    assert (jails, enabled, why) == (own / cgroups.JAILS, {"cpu", "memory", "pids"}, "")
    assert cgroups.join(POLICY) == {"cpu": "v2", "memory": "v2", "pids": "v2"}
    group = jails / f"{cgroups.PREFIX}{os.getpid()}"
    assert (group / "memory.max").read_text() == str(300 * 1024**2)
    assert (group / "pids.max").read_text() == "16"
    assert (group / "cpu.max").read_text() == "100000 100000"
    assert (group / "cgroup.procs").read_text() == str(os.getpid())
    assert all(limit.as_intended for limit in limits_in_force(POLICY, jails))
    assert notices(limits_in_force(POLICY, jails)) == []


def test_without_controllers_every_weaker_limit_is_said_once_and_kept(tmp_path, monkeypatch):
    own = fake_v2(tmp_path, "hugetlb")
    monkeypatch.setattr(cgroups, "own_v2", lambda: own)
    monkeypatch.setattr(cgroups, "own_v1", dict)
    monkeypatch.setattr(sandbox_module, "probe", lambda: None)
    said, report = [], AutogradeReport("a")
    assert sandbox_policy(CourseGrade(), said.append, report) == SandboxPolicy().to_json()
    weak = {"memory", "cpu share"} | (set() if os.geteuid() == 0 else {"processes"})
    assert {n.split(" limit")[0] for n in report.notices[:-1]} == weak
    assert report.notices[-1].startswith("cgroup v2: controller(s) cpu, memory, pids not available")
    assert said == [f"NOTICE: {n}" for n in report.notices]
    assert "controller(s) cpu, memory, pids not available in cgroup v2" in report.limits
    assert report.limits.startswith("isolation: bubblewrap jail")


def test_check_prints_the_isolation_and_limits_in_force():
    done = subprocess.run([sys.executable, "-m", "solidarity_course.instructor.sandbox",
                           "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("isolation: bubblewrap jail: no network")
    for name in ("memory", "processes", "cpu share", "cpu time", "file size", "open files"):
        assert any(line.startswith(f"{name}: ") for line in lines), name
    in_force = limits_in_force(SandboxPolicy(), cgroups.delegate_v2()[0])
    assert [line for line in lines if line.startswith("NOTICE")] == [
        f"NOTICE: {text}" for text in notices(in_force)]


class RecordingKernelManager(SandboxedKernelManager):
    """Remembers the connection folders it made."""

    made: list[Path] = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.made.append(self.runtime_dir)


class DyingKernelManager(RecordingKernelManager):
    """Its kernel exits at once, inside the jail."""

    def format_kernel_cmd(self, extra_arguments=None):
        return launcher_command(["/bin/false"], self.runtime_dir, SandboxPolicy())


def own_runtime_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob(f"cg-{os.getpid()}-*"))


@pytest.mark.parametrize(("manager", "kernel"), [
    (RecordingKernelManager, "no-such-kernel-here"), (DyingKernelManager, "python3"),
], ids=["unknown-kernel", "kernel-exits"])
def test_a_kernel_that_fails_to_start_leaves_no_cg_folder(manager, kernel, tmp_path):
    before = own_runtime_dirs()
    manager.made.clear()
    nb = new_notebook(cells=[new_code_cell("1 + 1")])
    client = NotebookClient(nb, kernel_manager_class=manager, kernel_name=kernel,
                            startup_timeout=10, resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(Exception, match="No such kernel|[Kk]ernel died|respond"):
        client.execute()
    atexit.unregister(client._cleanup_kernel)  # nbclient's exit hook: nothing left to clean
    assert len(manager.made) == 1 and manager.made[0].name.startswith(f"cg-{os.getpid()}-")
    assert not manager.made[0].exists()
    assert own_runtime_dirs() <= before


def test_only_the_standard_ipykernel_command_loses_its_debugger():
    standard = ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                "-f", "{connection_file}"]
    assert without_debugger(standard) == [
        "/venv/bin/python", "-c", KERNEL_WITHOUT_DEBUGGER, "-f", "{connection_file}"]
    for other in (["/usr/bin/ir", "--kernel", "-f", "x"], ["python", "-m", "other_kernel"],
                  ["python", "-m"]):
        assert without_debugger(other) == other


@pytest.mark.parametrize("manager", [PrivateKernelManager, SandboxedKernelManager],
                         ids=["private", "jailed"])
def test_a_grading_kernel_runs_without_debugpy(manager, tmp_path):
    nb = new_notebook(cells=[new_code_cell(
        "import sys\n"
        "print(sorted(m for m, module in sys.modules.items()\n"
        "             if module is not None and m.split('.')[0] in ('debugpy', 'pydevd')),\n"
        "      6 * 7)")])
    NotebookClient(nb, kernel_manager_class=manager, kernel_name="python3", startup_timeout=60,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs[0]["text"].split() == ["[]", "42"]
