"""``course-grade`` options are typed traitlets options read from ``nbgrader_config.py``."""

from __future__ import annotations

import pytest

from solidarity_course.instructor.cli import main
from solidarity_course.instructor.course import Course, CourseError
from solidarity_course.instructor.executor import NbgraderExecutor
from solidarity_course.instructor.safe_executor import SafeExecutor
from solidarity_course.instructor.sandbox import SandboxPolicy


def course_with(tmp_path, *lines: str) -> Course:
    """A course folder whose config file holds ``lines`` (no assignments needed)."""
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return Course.find(tmp_path)


def test_defaults_and_values_from_the_file(tmp_path):
    course = course_with(tmp_path, "c.CourseGrade.time_limit = 12",
                         "c.CourseGrade.sandbox_limits = {'processes': 8}",
                         "c.CourseGrade.executor = "
                         "'solidarity_course.instructor.executor.NbgraderExecutor'")
    options = course.options
    assert options.time_limit == 12.0 and options.workers == 0 and options.sandbox is True
    assert options.executor is NbgraderExecutor
    assert options.policy() == SandboxPolicy(processes=8)


@pytest.mark.parametrize(("lines", "override", "module"), [
    ((), None, "solidarity_course.instructor.safe_executor"),
    (("c.CourseGrade.executor = 'pkg.graders:Fast'",), None, "pkg.graders"),
    (("from solidarity_course.instructor.executor import NbgraderExecutor",
      "c.CourseGrade.executor = NbgraderExecutor"), None, "solidarity_course.instructor.executor"),
    (("c.CourseGrade.executor = 'pkg.graders.Fast'",), "other.mod:Slow", "other.mod"),
], ids=["default", "module-colon-class", "a-class", "command-line"])
def test_the_executor_module_is_known_before_the_executor_is_imported(tmp_path, lines,
                                                                      override, module):
    """The worker server is started with it before anything heavy is imported."""
    assert course_with(tmp_path, *lines).executor_module(override) == module


def test_a_misspelt_option_is_warned_about_with_the_nearest_real_one(tmp_path):
    course = course_with(tmp_path, "c.CourseGrade.time_limt = 5")
    with pytest.warns(UserWarning, match=r"`time_limt` not recognized.*Did you mean `time_limit`"):
        assert course.options.time_limit == 300.0


@pytest.mark.parametrize(("line", "named"), [
    ("c.CourseGrade.time_limit = 'five minutes'", "'time_limit' trait"),
    ("c.CourseGrade.workers = -1", "'workers' trait"),
    ("c.CourseGrade.sandbox_limits = {'procs': 8}", "unknown sandbox limit 'procs'"),
    ("c.CourseGrade.sandbox_limits = {'processes': 'many'}", "sandbox limit 'processes'"),
    ("c.CourseGrade.executor = 'no_such_module.Grader'", "'executor' trait"),
    ("c.CourseGrade.executor = 'collections.OrderedDict'", "'executor' trait"),
])
def test_a_wrong_value_is_an_error_naming_the_option(tmp_path, capsys, line, named):
    course = course_with(tmp_path, line)
    with pytest.raises(CourseError, match=named) as caught:
        course.options  # noqa: B018
    assert "nbgrader_config.py" in str(caught.value)
    assert main(["--course", str(tmp_path), "options"]) == 2  # every command stops
    assert named.split()[-1].strip("'") in capsys.readouterr().err


def test_command_line_values_override_the_file_and_are_checked(tmp_path):
    course = course_with(tmp_path, "c.CourseGrade.workers = 3")
    options = course.options_with(workers=None, time_limit=9, executor="solidarity_course."
                                  "instructor.safe_executor:SafeExecutor")
    assert (options.workers, options.time_limit, options.executor) == (3, 9.0, SafeExecutor)
    assert course.options.time_limit == 300.0  # the course's own options are untouched
    with pytest.raises(CourseError, match="command-line option.*'executor'"):
        course.options_with(executor="nowhere:Nothing")


def test_options_lists_every_option_with_its_help(tmp_path, capsys):
    assert main(["--course", str(course_with(tmp_path).root), "options"]) == 0
    out = capsys.readouterr().out
    for name in ("workers", "time_limit", "filename_patterns", "roster", "executor", "sandbox",
                 "sandbox_limits"):
        assert f"# c.CourseGrade.{name} = " in out
