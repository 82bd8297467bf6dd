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


def test_mypy_is_clean_on_the_quiz_and_sphinx_packages():
    result = _mypy()  # files and options from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    checked = Path(COURSE_ROOT, "pyproject.toml").read_text()
    assert '"solidarity_course/quiz", "solidarity_course/sphinx"' in checked


FORGETFUL_RENDERER = '''
from typing import assert_never

from solidarity_course.quiz.model import (
    DocumentSet, Matching, MultipleSelect, Numeric, Ordering, Question, SingleChoice, SpotDevice,
)


def describe(q: Question) -> str:
    match q:
        case SingleChoice() | SpotDevice() | MultipleSelect():
            return "choose"
        case Matching() | Ordering():
            return "arrange"
        case Numeric():
            return "type a number"
        case DocumentSet():
            return "read the documents"
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


def _deptry(*args: str) -> subprocess.CompletedProcess:
    deptry = Path(sys.executable).with_name("deptry")
    return subprocess.run([str(deptry), "solidarity_course", *args], cwd=COURSE_ROOT,
                          capture_output=True, text=True)


def test_every_import_of_the_package_is_a_declared_dependency():
    result = _deptry()  # reads [project] dependencies and [tool.deptry] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_undeclared_import_is_reported(tmp_path):
    """With psutil left out of the dependencies, deptry names it and fails."""
    pyproject = Path(COURSE_ROOT, "pyproject.toml").read_text()
    assert '  "psutil",\n' in pyproject
    trimmed = tmp_path / "pyproject.toml"
    trimmed.write_text(pyproject.replace('  "psutil",\n', ""))
    result = _deptry("--config", str(trimmed))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "'psutil' imported but" in result.stdout + result.stderr
