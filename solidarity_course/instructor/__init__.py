"""The instructor's grading round, driven end to end from one command (``course-grade``).

One module per step, plus the pieces they share:

- ``course``: the nbgrader course folder, its configuration (``CourseGrade`` options) and
  gradebook URL;
- ``atomic``: write files and folders so a reader never sees them half-written;
- ``keys``: questions and recorded answers read from notebooks (never executed);
- ``release``: ``generate_assignment`` plus a scan of the release for answer keys;
- ``collect``: an LMS download (Canvas or Moodle zip, or a folder) into ``submitted/``;
- ``screen``: find submissions that would abort an nbgrader batch, before grading;
- ``executor`` / ``worker``: grade one student in an isolated course copy (pluggable);
- ``safe_executor``: the default executor: nbgrader's autograde with the three steps below;
- ``answer_records``: record answers as JSON in the kernel, score them in the grader;
- ``sandbox`` (package: policy, bubblewrap command, cgroups, launcher, check) /
  ``sandbox_kernel``: the bubblewrap jail for a kernel, its limits, and an Execute step
  that survives what the kernel does there;
- ``parallel``: run workers across cores with a time limit per student;
- ``importer``: copy a worker's grades into the real gradebook, one transaction each;
- ``autograde``: the whole autograde step (screen, resume, run, import);
- ``feedback``: per-student HTML feedback;
- ``export``: nbgrader's grades CSV and a per-question CSV;
- ``itemstats``: item-analysis statistics (pure functions);
- ``report``: the item-analysis HTML page and CSV files;
- ``synthetic``: synthetic classes with known scores (tests, benchmarks, rehearsals);
- ``cli``: the ``course-grade`` command.

The gradebook is written only by the parent process, serially (see ``autograde``).
"""
