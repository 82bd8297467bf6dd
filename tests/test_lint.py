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


def _mypy(*args: str) -> subprocess.CompletedProcess:
    mypy = Path(sys.executable).with_name("mypy")
    return subprocess.run([str(mypy), *args], cwd=COURSE_ROOT, capture_output=True, text=True)


def test_mypy_is_clean_on_the_quiz_package():
    result = _mypy()  # files and options from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    assert "solidarity_course/quiz" in Path(COURSE_ROOT, "pyproject.toml").read_text()


FORGETFUL_RENDERER = '''
from typing import assert_never

from solidarity_course.quiz.model import (
    Matching, MultipleSelect, Numeric, Ordering, Question, SingleChoice, SpotDevice,
)


def describe(q: Question) -> str:
    match q:
        case SingleChoice() | SpotDevice() | MultipleSelect():
            return "choose"
        case Matching() | Ordering():
            return "arrange"
        case Numeric():
            return "type a number"
        case _:
            assert_never(q)
'''


def test_mypy_reports_a_question_type_missing_from_a_match(tmp_path):
    """A renderer whose ``match`` forgets ShortText is a type error, not a silent gap."""
    module = tmp_path / "forgetful.py"
    module.write_text(FORGETFUL_RENDERER)
    result = _mypy(str(module))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "assert_never" in result.stdout and "ShortText" in result.stdout, result.stdout
    complete = module.read_text().replace("case Numeric():", "case Numeric() | ShortText():")
    complete = complete.replace("Numeric, Ordering,", "Numeric, Ordering, ShortText,")
    module.write_text(complete)
    fixed = _mypy(str(module))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
