"""The course's two editions: the student book and the instructor edition.

The instructor edition is the same book with, after every chapter, teaching
notes (``chapters/notes/<chapter>.md``), the keys of its quizzes and exercises,
its essay rubric and its claims in full.  Build it with
``python -m solidarity_course.edition`` (``make book EDITION=instructor``).
"""
