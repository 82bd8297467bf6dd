"""nbgrader configuration of the course "In Common They Fought?".

Every path is relative to this folder (the course root), so the course works
from any checkout and from any current folder:

    source/<assignment>/      the masters, generated from data/questions/ (one per chapter)
    release/<assignment>/     student versions       (course-grade release)
    submitted/<student>/<assignment>/                 (course-grade collect)
    autograded/ feedback/     nbgrader's output      (course-grade autograde / feedback)
    gradebook.db              the SQLite gradebook (default)

For a shared deployment, point the gradebook at another database with an
environment variable, e.g. PostgreSQL:

    export COURSE_GRADEBOOK_URL=postgresql+psycopg://grader@db.example.org/history101

The ``CourseGrade`` section configures the ``course-grade`` tool
(solidarity_course.instructor); nbgrader itself ignores it.
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader's config loader)

c.CourseDirectory.course_id = "in-common-they-fought"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("COURSE_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["COURSE_GRADEBOOK_URL"]

# Student versions: the answer line ("answer_1 = None") stays; the solution region
# becomes a comment, not nbgrader's default "raise NotImplementedError()", so that
# "Restart and run all" does not stop at the first answer cell.
c.ClearSolutions.code_stub = {"python": "# (write your answer in the line above)"}

# Autograding: seconds a single cell may run before it is interrupted (it then
# scores 0); the whole student is bounded by CourseGrade.time_limit below.
c.Execute.timeout = 30

# Formgrader and feedback render student notebooks with nbconvert's HTMLExporter:
# this step makes everything a student wrote inert first (no script, no active
# output; autograde also stores the autograded copy that way).
c.HTMLExporter.preprocessors = ["solidarity_course.instructor.inert.InertNotebook"]

# course-grade options (solidarity_course.instructor.course.CourseGrade, where each
# one is typed and documented; a misspelt name is warned about, a wrong type stops
# course-grade with an error naming the option).
c.CourseGrade.workers = 0  # parallel autograde workers; 0 = two per CPU core
c.CourseGrade.time_limit = 300  # seconds per student; then the worker and kernel are killed
# Extra LMS file-name patterns, tried before the built-in Canvas and Moodle ones.
# Named groups: student_id (required) and file_id (the student's file name), e.g.
# c.CourseGrade.filename_patterns = [r"^(?P<student_id>[a-z0-9]+)--(?P<file_id>.+)$"]
c.CourseGrade.filename_patterns = []
# nbgrader's own ZipCollect pattern, if set, is honoured too:
# c.FileNameCollectorPlugin.named_regexp = r"..."
# CSV with columns lms_id,student_id mapping LMS ids (e.g. Moodle participant ids)
# to course ids; relative to this folder.  Empty: the LMS id is the student id.
c.CourseGrade.roster = ""
# The executor grading one student in an isolated course copy (a class, or its
# "module.Class" name).  The default scores recorded answers outside the student's
# kernel; the plain "solidarity_course.instructor.executor.NbgraderExecutor" runs
# nbgrader's hidden tests in the kernel (student code can fool those).
c.CourseGrade.executor = "solidarity_course.instructor.safe_executor.SafeExecutor"
# Run each student's kernel in a bubblewrap jail (no network, no view of source/,
# the gradebook or other students; limits below).  If the jail cannot start,
# autograde stops with an error; set False (or pass --no-sandbox) to grade
# without it, which student code can abuse.
c.CourseGrade.sandbox = True
# Limits of the jail; any of cpu_seconds, memory_bytes, processes, file_bytes,
# open_files, tmp_bytes, output_bytes (SandboxPolicy in solidarity_course.instructor.sandbox).
c.CourseGrade.sandbox_limits = {}
# The question bank the assignments come from (default: the repository's data/questions).
# Graded questions of your own belong OUTSIDE this public repository: a private bank
# folder (same schema), merged at release, with a course folder of its own (README.md,
# "Keys that are not public").  Relative to the course folder.
# c.CourseGrade.private_bank = "../bank"
