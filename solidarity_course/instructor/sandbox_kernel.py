"""Run autograde's kernel in the bubblewrap jail, and survive what it does there.

- :class:`SandboxedKernelManager`: a jupyter_client kernel manager whose kernel
  command is wrapped by the jail launcher (:mod:`.sandbox`).  The jail has no
  network, so the kernel talks to the grader over ZeroMQ ``ipc`` sockets in a
  short private folder (Unix socket paths are limited to ~107 bytes), which is
  made read-only to the kernel's user once the kernel is ready.
- :class:`GuardedExecute`: nbgrader's ``Execute`` with two guards on the
  grader's side: outputs beyond ``output_limit`` bytes per notebook are dropped
  (a notebook printing 100 MB cannot fill the grader's memory or the
  gradebook), and a kernel that dies (killed by a limit, or by its own code)
  fails only the cells from there on, each with an error saying so, instead of
  aborting the student's whole grading.  Both events become grading notes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from .answer_records import add_note
from .sandbox import SandboxPolicy, launcher_command, lock_runtime_dir


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts its kernel inside the jail."""

    policy_json = Unicode("{}", help="SandboxPolicy limits as JSON").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.runtime_dir = Path(tempfile.mkdtemp(prefix="cg-"))
        self.transport = "ipc"
        self.ip = str(self.runtime_dir / "k")
        self.connection_file = str(self.runtime_dir / "kernel.json")

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        """The kernel spec's command, run by the jail launcher."""
        cmd = super().format_kernel_cmd(extra_arguments)
        policy = SandboxPolicy.from_settings(json.loads(self.policy_json))
        return launcher_command(cmd, self.runtime_dir, policy)

    def lock(self) -> None:
        """The kernel has bound its sockets: no more writing in the connection folder."""
        lock_runtime_dir(self.runtime_dir)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)


def _size(content: dict) -> int:
    """Approximate bytes of one output message's content."""
    if "text" in content:
        return len(content["text"])
    if "data" in content:
        return sum(len(str(v)) for v in content["data"].values())
    return sum(len(line) for line in content.get("traceback", []))


class GuardedExecute(Execute):
    """nbgrader's Execute with an output limit and survival of a dead kernel."""

    output_limit = Integer(8 * 1024**2, help="bytes of output kept per notebook").tag(config=True)
    sandboxed = Bool(False, help="start the kernel in the bubblewrap jail").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.sandboxed:  # nbgrader's Execute passes its own kernel_manager_class
            self.kernel_manager_class = SandboxedKernelManager

    def preprocess(self, nb, resources=None, km=None):
        self._output_bytes = 0
        self._truncated = False
        self._dead = ""
        self._nb_for_notes = nb
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        if isinstance(self.km, SandboxedKernelManager):
            self.km.lock()
        return client

    def output(self, outs, msg, display_id, cell_index):
        self._output_bytes += _size(msg.get("content", {}))
        if self._output_bytes <= self.output_limit:
            return super().output(outs, msg, display_id, cell_index)
        if not self._truncated:
            self._truncated = True
            add_note(self._nb_for_notes, f"output beyond {self.output_limit} bytes was dropped "
                     f"(from cell {cell_index + 1} on)")
            outs.append(new_output("stream", name="stdout",
                                   text=f"[grader: output beyond {self.output_limit} bytes "
                                        "dropped]\n"))
        return None

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        if cell.cell_type == "code" and self._dead:
            cell.outputs = [self._error("KernelDied", f"not run: {self._dead}")]
            return cell
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except DeadKernelError as exc:
            self._dead = f"the kernel died in cell {cell_index + 1}"
            add_note(self._nb_for_notes, f"{self._dead} ({exc}); later cells were not run")
            cell.outputs.append(self._error("KernelDied", f"{self._dead}: {exc}"))
            return cell

    @staticmethod
    def _error(name: str, value: str):
        return new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"])
