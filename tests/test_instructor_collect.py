"""collect: Canvas and Moodle names, newest duplicate wins, and every bad file reported."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from datetime import datetime

import pytest
from instructor_support import CHAPTER, make_course

from solidarity_course.instructor.collect import collect
from solidarity_course.instructor.course import CourseError

NB = f"{CHAPTER}.ipynb"
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("collect") / "course", release=False)


def _add(zf: zipfile.ZipFile, name: str, data: bytes, when=(2025, 3, 1, 10, 0, 0), mode=None,
         compress=zipfile.ZIP_STORED):
    info = zipfile.ZipInfo(name, when)
    if mode is not None:
        info.external_attr = mode << 16
    zf.writestr(info, data, compress_type=compress)


def _corrupt(path, name: str) -> None:
    """Flip bytes inside one member's compressed data (its CRC then fails)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start, start + min(8, info.compress_size)):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_canvas_zip_every_case_reported(course, tmp_path):
    download = tmp_path / "canvas.zip"
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, f"anaalmeida_4001_9001_{NB}", NOTEBOOK + b" ")
        _add(zf, f"borisberger_LATE_4002_9002_{NB}", NOTEBOOK)
        # duplicates: the newer file wins, whatever its name
        _add(zf, f"chloecosta_4003_9003_{NB}", b"old", when=(2025, 3, 1, 9, 0, 0))
        _add(zf, f"chloecosta_4003_9013_{CHAPTER}-1.ipynb", NOTEBOOK,
             when=(2025, 3, 1, 11, 0, 0))
        _add(zf, "notes_from_the_lms.txt.ipynb", NOTEBOOK)  # matches no pattern
        _add(zf, f"dmitridubois_4004_9004_{CHAPTER}.pdf", b"%PDF")  # not a notebook
        _add(zf, f"evaengel_4005_9005_{NB}", NOTEBOOK)  # corrupted below: unreadable
        _add(zf, f"../faridfischer_4006_9006_{NB}", NOTEBOOK)  # zip-slip
        _add(zf, f"/tmp/gretagarcia_4007_9007_{NB}", NOTEBOOK)  # absolute path
        _add(zf, f"hugohorvat_4008_9008_{NB}", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)
    _corrupt(download, f"evaengel_4005_9005_{NB}")
    report = collect(course, CHAPTER, download)
    status = {r.entry: r.status for r in report.rows}
    assert status[f"anaalmeida_4001_9001_{NB}"] == "collected"
    assert status[f"borisberger_LATE_4002_9002_{NB}"] == "collected"
    assert status[f"chloecosta_4003_9003_{NB}"] == "superseded"
    assert status[f"chloecosta_4003_9013_{CHAPTER}-1.ipynb"] == "collected"
    assert status["notes_from_the_lms.txt.ipynb"] == "unknown-name"
    assert status[f"dmitridubois_4004_9004_{CHAPTER}.pdf"] == "not-a-notebook"
    assert status[f"evaengel_4005_9005_{NB}"] == "unreadable"
    assert status[f"../faridfischer_4006_9006_{NB}"] == "refused"
    assert status[f"/tmp/gretagarcia_4007_9007_{NB}"] == "refused"
    assert status[f"hugohorvat_4008_9008_{NB}"] == "refused"
    assert len(report.rows) == 10  # nothing silently dropped
    submitted = course.folder("submitted")
    assert (submitted / "chloecosta" / CHAPTER / NB).read_bytes() == NOTEBOOK
    assert (submitted / "borisberger" / CHAPTER / "timestamp.txt").read_text().startswith(
        "2025-03-01 10:00:00")
    assert sorted(p.name for p in submitted.iterdir()) == [
        "anaalmeida", "borisberger", "chloecosta"]
    assert not (course.root.parent / "faridfischer_4006_9006_" f"{NB}").exists()
    assert "unreadable" in report.to_csv()
    # re-run: nothing changes
    again = collect(course, CHAPTER, download)
    assert again.by_status("unchanged") and not again.by_status("collected")
    # an older upload than the collected one is not taken
    older = tmp_path / "older.zip"
    with zipfile.ZipFile(older, "w") as zf:
        _add(zf, f"anaalmeida_4001_9000_{NB}", b"older", when=(2025, 2, 1, 10, 0, 0))
    assert collect(course, CHAPTER, older).rows[0].status == "kept-existing"
    assert (submitted / "anaalmeida" / CHAPTER / NB).read_bytes() == NOTEBOOK + b" "


def test_moodle_folders_flat_names_roster_and_custom_pattern(course, tmp_path):
    download = tmp_path / "moodle.zip"
    with zipfile.ZipFile(download, "w") as zf:
        _add(zf, f"Ines Ivanova_1001_assignsubmission_file_/{NB}", NOTEBOOK)
        _add(zf, f"export/Jonas Jansen_1002_assignsubmission_file_{NB}", NOTEBOOK)
        _add(zf, f"Nobody Known_1999_assignsubmission_file_/{NB}", NOTEBOOK)
    roster = course.root / "roster.csv"
    roster.write_text("lms_id,student_id\n1001,iivanova\n1002,jjansen\n", encoding="utf-8")
    report = collect(course, CHAPTER, download, roster=roster)
    by = {r.entry: r for r in report.rows}
    assert by[f"Ines Ivanova_1001_assignsubmission_file_/{NB}"].student == "iivanova"
    assert by[f"export/Jonas Jansen_1002_assignsubmission_file_{NB}"].status == "collected"
    assert by[f"Nobody Known_1999_assignsubmission_file_/{NB}"].status == "unknown-student"
    assert (course.folder("submitted") / "jjansen" / CHAPTER / NB).exists()
    # another LMS: a regex with named groups
    folder = tmp_path / "other-lms"
    folder.mkdir()
    (folder / f"kim--{NB}").write_bytes(NOTEBOOK)
    (folder / "readme.txt").write_text("hello")
    os.symlink("/etc/passwd", folder / f"evil--{NB}")
    report = collect(course, CHAPTER, folder,
                     patterns=[r"^(?P<student_id>[a-z]+)--(?P<file_id>.+)$"])
    status = {r.entry: r.status for r in report.rows}
    assert status == {f"kim--{NB}": "collected", "readme.txt": "not-a-notebook",
                      f"evil--{NB}": "refused"}
    stamp = (course.folder("submitted") / "kim" / CHAPTER / "timestamp.txt").read_text()
    assert datetime.strptime(stamp.strip()[:19], "%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("layout", ["moodle-folders", "moodle-wrapped", "moodle-deeper"])
def test_a_nested_file_named_like_a_classmate_never_replaces_the_classmate(course, tmp_path,
                                                                           layout):
    """Only the name the LMS wrote chooses the student (issue 17, must fix 2)."""
    mine = "Mallory Mann_3001_assignsubmission_file_"
    victim = "Victor Vogel_3002_assignsubmission_file_"
    prefix = {"moodle-folders": "", "moodle-wrapped": "Essay 1 (download)/",
              "moodle-deeper": ""}[layout]
    nested = {"moodle-folders": f"{mine}/{victim}{NB}",
              "moodle-wrapped": f"{mine}/{victim}{NB}",
              "moodle-deeper": f"{mine}/sub/{victim}/{NB}"}[layout]
    genuine = NOTEBOOK
    forged = NOTEBOOK.replace(b"[]", b'[{"cell_type": "raw", "metadata": {}, "source": "x"}]')
    download = tmp_path / "moodle.zip"
    with zipfile.ZipFile(download, "w") as zf:
        _add(zf, f"{prefix}{victim}/{NB}", genuine, when=(2025, 3, 1, 9, 0, 0))
        _add(zf, f"{prefix}{mine}/{NB}", NOTEBOOK, when=(2025, 3, 1, 9, 0, 0))
        _add(zf, prefix + nested, forged, when=(2025, 3, 1, 12, 0, 0))
    report = collect(course, CHAPTER, download)
    by = {r.entry: r for r in report.rows}
    assert by[f"{prefix}{victim}/{NB}"].status in ("collected", "unchanged")
    assert by[prefix + nested].status == "refused", by[prefix + nested]
    assert "3002" in by[prefix + nested].detail
    assert (course.folder("submitted") / "3002" / CHAPTER / NB).read_bytes() == genuine


def test_a_canvas_name_inside_a_folder_chooses_no_student(course, tmp_path):
    folder = tmp_path / "canvas-folder"
    (folder / "zoezhang_4101_9101_homework").mkdir(parents=True)
    (folder / "zoezhang_4101_9101_homework" / f"victimv_4102_9102_{NB}").write_bytes(NOTEBOOK)
    report = collect(course, CHAPTER, folder)
    assert [r.status for r in report.rows] == ["refused"] and "victimv" in report.rows[0].detail
    assert not (course.folder("submitted") / "victimv").exists()


@pytest.mark.parametrize("content, message", [
    (b"", "empty (0 bytes)"),
    (b"this is an HTML error page, not a zip", "not a readable zip"),
    ("truncated", "not a readable zip"),
    ("no-files", "holds no files"),
])
def test_a_bad_download_is_an_error_with_a_clear_message(course, tmp_path, content, message):
    from solidarity_course.instructor.cli import main

    download = tmp_path / "download.zip"
    if content == "truncated":
        with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as zf:
            _add(zf, f"anaalmeida_4001_9001_{NB}", NOTEBOOK * 50)
        download.write_bytes(download.read_bytes()[:-40])
    elif content == "no-files":
        with zipfile.ZipFile(download, "w") as zf:
            zf.mkdir("empty-folder")
    else:
        download.write_bytes(content)
    with pytest.raises(CourseError, match=re.escape(message)):
        collect(course, CHAPTER, download)
    assert main(["--course", str(course.root), "collect", CHAPTER, str(download)]) == 2


def test_a_zip_bomb_is_streamed_with_caps(course, tmp_path, monkeypatch):
    """Members are read in chunks up to the per-file cap and the download's total cap."""
    from solidarity_course.instructor import collect as collect_module

    monkeypatch.setattr(collect_module, "MAX_BYTES", 2 * 2**20)
    monkeypatch.setattr(collect_module, "MAX_TOTAL_BYTES", 2 * 2**20)
    download = tmp_path / "bomb.zip"
    padding = b" " * (9 * 2**20 // 10)  # 0.9 MiB each: the third goes beyond the 2 MiB total
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, f"bombbomb_4201_9201_{NB}", b" " * (64 * 2**20),  # 64 MiB in ~64 kB
             compress=zipfile.ZIP_DEFLATED)
        for i, login in enumerate(["first", "second", "third"]):
            _add(zf, f"{login}_43{i}1_93{i}1_{NB}", NOTEBOOK + padding,
                 compress=zipfile.ZIP_DEFLATED)
    assert download.stat().st_size < 200_000
    report = collect(course, CHAPTER, download)
    status = {r.entry.split("_")[0]: (r.status, r.detail) for r in report.rows}
    assert status["bombbomb"] == ("refused", "larger than 2 MiB")
    assert status["first"][0] == status["second"][0] == "collected"
    assert status["third"][0] == "unreadable" and "total" in status["third"][1]
