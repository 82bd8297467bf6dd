"""The course's Python code is ruff-clean."""

import subprocess
import sys
from pathlib import Path

from solidarity_course.paths import COURSE_ROOT


def test_ruff_is_clean_on_package_tests_and_bench():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "solidarity_course", "tests", "bench"],
        cwd=COURSE_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
