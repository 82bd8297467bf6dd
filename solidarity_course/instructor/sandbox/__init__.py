"""The grading sandbox: a bubblewrap jail with limits for one student's kernel.

- :mod:`.policy`: the limits (``c.CourseGrade.sandbox_limits``);
- :mod:`.bwrap`: the bubblewrap command line (what the kernel may see);
- :mod:`.cgroups`: one control group per jail (cgroup v2, or v1);
- :mod:`.launcher`: what a kernel manager runs instead of the kernel;
- :mod:`.check`: which isolation and limits are really in force here
  (``course-grade check``).
"""

from .bwrap import lock_runtime_dir
from .cgroups import remove as remove_jail_cgroups
from .launcher import launcher_command, probe
from .policy import SandboxPolicy, SandboxUnavailable

__all__ = ["SandboxPolicy", "SandboxUnavailable", "launcher_command", "lock_runtime_dir", "probe",
           "remove_jail_cgroups"]
