"""The default executor: nbgrader's autograde, answers scored outside the kernel, kernel jailed.

It is :class:`~.executor.NbgraderExecutor` with autograde's ``Execute`` step
replaced by three steps (see :mod:`.answer_records` and :mod:`.sandbox_kernel`):
``RecordAnswers`` → ``GuardedExecute`` → ``ScoreRecordedAnswers``.  The kernel
runs in the bubblewrap jail when the job carries a sandbox policy
(``Job.sandbox``), which :func:`.autograde.autograde` sets unless the
instructor opted out.
"""

from __future__ import annotations

from .answer_records import RecordAnswers, ScoreRecordedAnswers
from .executor import Job, NbgraderExecutor, default_autograde_steps, stored_inert
from .sandbox import SandboxPolicy
from .sandbox_kernel import GuardedExecute


def autograde_steps() -> list:
    """nbgrader's autograde preprocessors with Execute replaced by the three guarded steps,
    and the stored copy made inert."""
    from nbgrader.preprocessors import Execute

    guarded, steps = [RecordAnswers, GuardedExecute, ScoreRecordedAnswers], []
    for step in default_autograde_steps():
        steps += guarded if step is Execute else [step]
    return stored_inert(steps)


class SafeExecutor(NbgraderExecutor):
    """nbgrader autograde that student code cannot fool, in the jail when asked."""

    def configure(self, config, job: Job) -> None:
        config.Autograde.autograde_preprocessors = autograde_steps()
        policy = SandboxPolicy.from_json(job.sandbox) if job.sandbox else SandboxPolicy()
        config.GuardedExecute.output_limit = policy.output_bytes
        config.GuardedExecute.sandboxed = job.sandbox is not None
        config.SandboxedKernelManager.policy_json = policy.to_json()
        config.RecordAnswers.variant = job.variant or ""
