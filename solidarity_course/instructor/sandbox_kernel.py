"""Run autograde's kernel in the bubblewrap jail, and survive what it does there.

- :class:`SandboxedKernelManager`: a jupyter_client kernel manager whose kernel
  command is wrapped by the jail launcher (:mod:`.sandbox`).  The jail has no
  network, so the kernel talks to the grader over ZeroMQ ``ipc`` sockets in a
  short private folder (Unix socket paths are limited to ~107 bytes), which is
  made read-only to the kernel's user once the kernel is ready.
- :class:`GuardedExecute`: nbgrader's ``Execute`` with two guards on the
  grader's side: one output budget per cell and per notebook on everything
  the kernel can make the grader store (a notebook printing 100 MB, or
  replacing a display a million times, cannot fill the grader's memory, the
  autograded notebook or the feedback), and a kernel that dies or hangs
  (killed by a limit, or by its own code) fails only that cell, instead of
  aborting the student's whole grading: the following cells run in a fresh
  kernel (up to ``max_restarts`` times), so answers given after the fatal cell
  still count.  Both events become grading notes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from .answer_records import RECORD_MIME, RESOURCE_KEY, add_note
from .keys import grade_id
from .sandbox import (
    SandboxPolicy,
    launcher_command,
    lock_runtime_dir,
    remove_jail_cgroups,
)

#: Connection folders: ``cg-<worker pid>-<random>`` in the temporary folder.
RUNTIME_PREFIX = "cg-"

#: What a grading kernel runs instead of ``-m ipykernel_launcher``: that launcher (the
#: working folder off the module path, as it does) with the debugger left out.  No one
#: debugs a notebook being graded; importing debugpy was a quarter of a kernel's start
#: (ipykernel treats debugpy as optional), and the debugger's frozen-modules switch
#: goes with it.
KERNEL_WITHOUT_DEBUGGER = """\
import sys
sys.modules["debugpy"] = None
if sys.path and sys.path[0] == "":
    del sys.path[0]
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def without_debugger(cmd: list[str]) -> list[str]:
    """A kernel spec's command, ipykernel started without its debugger.

    Only the standard ``python [-X...] -m ipykernel_launcher ...`` is changed; any
    other command (another kernel, a wrapper) is returned as it is.
    """
    at = cmd.index("-m") if "-m" in cmd else len(cmd)
    if cmd[at + 1:at + 2] != ["ipykernel_launcher"]:
        return cmd
    options = [arg for arg in cmd[1:at] if arg != "-Xfrozen_modules=off"]
    return [cmd[0], *options, "-c", KERNEL_WITHOUT_DEBUGGER, *cmd[at + 2:]]


def remove_stale_runtime_dirs() -> None:
    """Remove the connection folders of workers that are gone (killed at a time limit)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{RUNTIME_PREFIX}*-*"):
        pid = folder.name.removeprefix(RUNTIME_PREFIX).split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


class PrivateKernelManager(AsyncKernelManager):
    """A kernel with nothing shared with the other kernels grading beside it.

    Its sockets are ZeroMQ ``ipc`` sockets in a private folder (TCP ports are
    picked free and bound later, so kernels started at once can race for
    one), and its IPython folder (history database) is private too (parallel
    kernels sharing one SQLite history wait on each other's locks).  The
    kernel starts without ipykernel's debugger (:func:`without_debugger`).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.runtime_dir = Path(tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-"))
        self.transport = "ipc"
        self.ip = str(self.runtime_dir / "k")
        self.connection_file = str(self.runtime_dir / "kernel.json")

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        """The kernel spec's command, without the debugger (:func:`without_debugger`)."""
        return without_debugger(super().format_kernel_cmd(extra_arguments))

    async def _async_pre_start_kernel(self, **kw):
        env = dict(kw.pop("env", None) or os.environ)
        env["IPYTHONDIR"] = str(self.runtime_dir / "ipython")
        return await super()._async_pre_start_kernel(env=env, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)


class SandboxedKernelManager(PrivateKernelManager):
    """A kernel manager that starts its kernel inside the jail."""

    policy_json = Unicode("{}", help="SandboxPolicy limits as JSON").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        """The kernel spec's command, run by the jail launcher."""
        cmd = super().format_kernel_cmd(extra_arguments)
        policy = SandboxPolicy.from_json(self.policy_json)
        return launcher_command(cmd, self.runtime_dir, policy)

    async def _async_start_kernel(self, **kw) -> None:
        """Start the kernel; if it cannot start, its connection folder goes too."""
        try:
            await super()._async_start_kernel(**kw)
        except BaseException:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
            raise

    start_kernel = _async_start_kernel

    async def interrupt_kernel(self) -> None:
        """Interrupt by message: a signal would reach bwrap, not the kernel inside."""
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    def lock(self) -> None:
        """The kernel has bound its sockets: no more writing in the connection folder."""
        lock_runtime_dir(self.runtime_dir)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        pid = getattr(getattr(self.provisioner, "process", None), "pid", None)
        await super()._async_cleanup_resources(restart=restart)
        if pid:
            remove_jail_cgroups(pid)

    # nbclient calls cleanup_resources directly after a kernel died: bind it to ours.
    cleanup_resources = _async_cleanup_resources


#: The one answer record of a test cell is exempt from the output budget up to this size.
RECORD_LIMIT = 64 * 1024
#: Errors that mean a limit stopped a cell (noted in the per-student report).
STOPPED = {"CellTimeoutError", "MemoryError", "BlockingIOError", "KeyboardInterrupt"}


def output_size(content: dict) -> int:
    """Bytes one output message would add to the notebook (text, data, metadata, traceback)."""
    size = len(content.get("text", "")) + len(content.get("ename", "")) \
        + len(content.get("evalue", "")) + sum(len(line) for line in content.get("traceback", []))
    for key in ("data", "metadata"):
        if content.get(key):
            size += len(json.dumps(content[key], default=str))
    return size


class GuardedExecute(Execute):
    """nbgrader's Execute with an output budget and survival of a dead kernel.

    The budget holds for everything the kernel can make the grader store:
    outputs, their replacements (``update_display_data``, or a display with an
    existing ``display_id``), errors and answer records; widget state is not
    stored at all.  Only the first record of each test cell, up to
    :data:`RECORD_LIMIT`, is outside the budget (so a flood of output cannot
    cost a student their answers).
    """

    output_limit = Integer(8 * 1024**2, help="bytes of output kept per notebook").tag(config=True)
    cell_output_limit = Integer(2 * 1024**2, help="bytes of output kept per cell").tag(
        config=True)
    sandboxed = Bool(False, help="start the kernel in the bubblewrap jail").tag(config=True)
    max_restarts = Integer(3, help="fresh kernels after a dead or hung one").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.store_widget_state = False  # comm messages would be stored unbounded
        # nbgrader's Execute passes its own kernel_manager_class: replace it
        self.kernel_manager_class = (SandboxedKernelManager if self.sandboxed
                                     else PrivateKernelManager)

    def preprocess(self, nb, resources=None, km=None):
        self._output_bytes = 0
        self._cell_bytes: dict[int, int] = {}
        self._over: set[int] = set()
        self._record_cells = {i for i, c in enumerate(nb.cells)
                              if grade_id(c) in (resources or {}).get(RESOURCE_KEY, {})}
        self._dead = ""
        self._restarts = 0
        self._nb_for_notes = nb
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        if isinstance(self.km, SandboxedKernelManager):
            self.km.lock()
        return client

    # nbclient binds its sync wrappers to its own coroutines: rebind them to ours.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _within_budget(self, content: dict, cell_index: int) -> bool:
        """Charge one output to the cell's and the notebook's budget; False if it is over."""
        size = output_size(content)
        if (RECORD_MIME in (content.get("data") or {}) and size <= RECORD_LIMIT
                and cell_index in self._record_cells):
            self._record_cells.discard(cell_index)  # one exempt record per test cell
            return True
        self._output_bytes += size
        self._cell_bytes[cell_index] = self._cell_bytes.get(cell_index, 0) + size
        if (self._output_bytes <= self.output_limit
                and self._cell_bytes[cell_index] <= self.cell_output_limit):
            return True
        if cell_index not in self._over:
            self._over.add(cell_index)
            add_note(self._nb_for_notes, f"output of cell {cell_index + 1} beyond the limit "
                     f"({self.cell_output_limit} bytes per cell, {self.output_limit} per "
                     "notebook) was dropped")
            self.nb.cells[cell_index].setdefault("outputs", []).append(new_output(
                "stream", name="stdout", text="[grader: output beyond the limit dropped]\n"))
        return False

    def output(self, outs, msg, display_id, cell_index):
        if self._within_budget(msg.get("content", {}), cell_index):
            return super().output(outs, msg, display_id, cell_index)
        return None

    def _update_display_id(self, display_id, msg):
        """A display replaced (``update_display_data``) is charged like a new output."""
        if self._within_budget(msg.get("content", {}), self._current_cell_index):
            super()._update_display_id(display_id, msg)

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        self._current_cell_index = cell_index
        if cell.cell_type == "code" and self._dead:
            cell.outputs = [self._error("KernelDied", f"not run: {self._dead}")]
            return cell
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except (DeadKernelError, CellTimeoutError) as exc:
            what = "died" if isinstance(exc, DeadKernelError) else "stopped responding"
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            cell.outputs.append(self._error("KernelDied", f"the kernel {what}: {first_line}"))
            await self._restart(f"the kernel {what} in cell {cell_index + 1}")
            return cell
        stopped = sorted({o.get("ename") for o in cell.get("outputs", [])
                          if o.get("output_type") == "error" and o.get("ename") in STOPPED})
        if stopped:
            add_note(self._nb_for_notes, f"cell {cell_index + 1} stopped: {', '.join(stopped)} "
                     "(a time, memory or process limit)")
        return cell

    async def _restart(self, why: str) -> None:
        """A fresh kernel for the cells after a fatal one (its state is lost), a few times."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self._dead = f"{why}, after {self.max_restarts} restarts"
            add_note(self._nb_for_notes, f"{self._dead}; later cells were not run")
            return
        try:
            await ensure_async(self.km.restart_kernel(now=True))
            await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
            if isinstance(self.km, SandboxedKernelManager):
                self.km.lock()
        except Exception as exc:  # no usable kernel: the rest is not run, and said so
            self._dead = f"{why} and could not be restarted ({type(exc).__name__})"
            add_note(self._nb_for_notes, f"{self._dead}; later cells were not run")
            return
        add_note(self._nb_for_notes, f"{why}; later cells ran in a fresh kernel, without "
                 "the state of earlier cells")

    execute_cell = run_sync(async_execute_cell)

    @staticmethod
    def _error(name: str, value: str):
        return new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"])
