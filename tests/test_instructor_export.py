"""grades.csv: the same gradebook gives the same bytes, and names survive as CSV fields."""

from __future__ import annotations

import csv
import io

import pytest
from instructor_support import CHAPTER, copy_course, make_course

from solidarity_course.instructor.export import GRADES_COLUMNS, export

STUDENTS = [("s03", "O'Brien, Jr.", 'Ann "Nan"'), ("s01", "Okafor", "Chidi"),
            ("s02", "Zhang", "Wei")]
POINTS = {"s01": 1.0, "s02": 0.5, "s03": 0.0}


def fill(course, order):
    """Add the students and a submission each, in ``order``, with POINTS on the first cell."""
    with course.gradebook() as gb:
        for sid, last, first in order:
            gb.update_or_create_student(sid, last_name=last, first_name=first)
            submission = gb.add_submission(CHAPTER, sid)
            grade = submission.notebooks[0].grades[0]
            grade.auto_score = POINTS[sid]
        gb.db.commit()


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    base = tmp_path_factory.mktemp("export")
    first = make_course(base / "first")
    second = copy_course(first, base / "second")
    fill(first, STUDENTS)
    fill(second, list(reversed(STUDENTS)))
    return first, second


def test_grades_csv_is_the_same_bytes_whatever_the_database_order(courses, tmp_path):
    texts = []
    for i, course in enumerate(courses):
        export(course, [CHAPTER], tmp_path / str(i), allow_ungraded=True)
        texts.append((tmp_path / str(i) / "grades.csv").read_bytes())
    assert texts[0] == texts[1]
    rows = list(csv.DictReader(io.StringIO(texts[0].decode())))
    assert [r["student_id"] for r in rows] == ["s01", "s02", "s03"]


def test_names_with_commas_and_quotes_stay_in_their_columns(courses, tmp_path):
    export(courses[0], [CHAPTER], tmp_path, allow_ungraded=True)
    reader = csv.reader(io.StringIO((tmp_path / "grades.csv").read_text()))
    header, *rows = list(reader)
    assert header == GRADES_COLUMNS
    assert all(len(row) == len(header) for row in rows)
    by_id = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    assert (by_id["s03"]["last_name"], by_id["s03"]["first_name"]) == ("O'Brien, Jr.",
                                                                      'Ann "Nan"')
    assert float(by_id["s01"]["raw_score"]) == 1.0
    assert float(by_id["s02"]["score"]) == 0.5
