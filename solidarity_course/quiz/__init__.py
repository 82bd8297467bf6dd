"""Quizzes written once in the YAML bank (``data/questions/``), used three ways.

Modules, one job each:

- ``model``: the schema of a question (pydantic models), response formats and every
  per-type fact the renderers ask for;
- ``presentation``: helpers every rendering shares (display order, excerpt window,
  Markdown with citations);
- ``bank``: load and validate the bank's YAML files (errors name file, id, field);
- ``normalise``: text normalisation for short-text answers;
- ``devices``: "spot the device" questions joined to the annotations/devices data;
- ``documents``: document-based questions (``document_set``) joined to the excerpts data;
- ``scoring``: ``score_answer(question, response)`` and feedback, shared by all renderings;
- ``html``: accessible HTML for self-check quizzes (checked in the browser by
  ``solidarity_course/sphinx/static/solidarity_quiz.js``);
- ``leakcheck``: find answer keys in released notebooks;
- ``widgets``: ipywidgets for class (``ChapterQuiz``);
- ``assignments``: nbgrader source notebooks from graded questions;
- ``grading``: what the hidden tests of those notebooks call.
"""

from .scoring import score_answer

__all__ = ["score_answer"]
