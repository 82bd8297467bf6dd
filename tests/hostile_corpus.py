"""A corpus of hostile submissions, built from an honest synthetic student's notebook.

Each :class:`Kind` turns one honest submission folder into a hostile one and
says what grading must make of it: ``problem`` (screened out, with a
diagnostic) or ``graded`` (scored, with a note in the report where the
submission did something worth telling the instructor).  ``zeroed`` names the
questions whose honest points the hostile change forfeits; every other
question must keep exactly its honest score.

Probe cells print one line ``PROBE {json}``: what the student's code could
read, write or reach.  The tests assert that it reached nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

PROBE_PREFIX = "PROBE "


@dataclass
class Context:
    """What a hostile change may refer to."""

    course_root: Path
    notebook_name: str
    other_student: str  # an honest student whose files a hostile one tries to reach
    assignment: str
    port: int  # a TCP server on the host's loopback, counting connections
    first_question_variable: str = "answer_1"
    first_question_id: str = ""


@dataclass
class Kind:
    """One kind of hostile submission."""

    name: str
    apply: Callable[[Path, Context], None]
    outcome: str  # "problem" or "graded"
    detail: str = ""  # a substring of the per-student report's detail
    zeroed: list[str] = field(default_factory=list)  # question ids that lose their points
    probe: bool = False  # the notebook prints PROBE lines to check


def _nb(folder: Path, ctx: Context):
    return nbformat.read(folder / ctx.notebook_name, as_version=4)


def _save(folder: Path, ctx: Context, nb) -> None:
    nbformat.write(nb, folder / ctx.notebook_name)


def _test_cells(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").endswith("-test")]


def _insert(position: str, source: str) -> Callable[[Path, Context], None]:
    """A change that inserts a plain code cell after the 2nd test cell ('middle') or at the end."""

    def apply(folder: Path, ctx: Context) -> None:
        nb = _nb(folder, ctx)
        code = source.format(root=ctx.course_root, other=ctx.other_student,
                             assignment=ctx.assignment, nb=ctx.notebook_name, port=ctx.port)
        at = _test_cells(nb)[1] + 1 if position == "middle" else len(nb.cells)
        nb.cells.insert(at, new_code_cell(code))
        _save(folder, ctx, nb)

    return apply


def _write_bytes(data: bytes) -> Callable[[Path, Context], None]:
    def apply(folder: Path, ctx: Context) -> None:
        (folder / ctx.notebook_name).write_bytes(data)

    return apply


def _wrong_nbformat(folder: Path, ctx: Context) -> None:
    raw = json.loads((folder / ctx.notebook_name).read_text(encoding="utf-8"))
    raw["nbformat"], raw["nbformat_minor"] = 3, 0
    (folder / ctx.notebook_name).write_text(json.dumps(raw), encoding="utf-8")


def _renamed(folder: Path, ctx: Context) -> None:
    (folder / ctx.notebook_name).rename(folder / "my-answers.ipynb")


def _edit_cells(change: Callable) -> Callable[[Path, Context], None]:
    def apply(folder: Path, ctx: Context) -> None:
        nb = _nb(folder, ctx)
        change(nb)
        _save(folder, ctx, nb)

    return apply


def _delete_test(nb) -> None:
    del nb.cells[_test_cells(nb)[0]]


def _edit_test(nb) -> None:
    nb.cells[_test_cells(nb)[0]].source = "print('all tests passed')  # nothing to see here"


def _duplicate_test(nb) -> None:
    i = _test_cells(nb)[0]
    nb.cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(nb.cells[i]))))


def _change_type(nb) -> None:
    i = _test_cells(nb)[0]
    cell = nb.cells[i]
    nb.cells[i] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)


def _always_equal(folder: Path, ctx: Context) -> None:
    nb = _nb(folder, ctx)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == \
                f"{ctx.first_question_id}-answer":
            cell.source = (
                "class Anything:\n"
                "    def __eq__(self, other):\n        return True\n"
                "    __hash__ = object.__hash__\n"
                "    def __contains__(self, item):\n        return True\n"
                f"{ctx.first_question_variable} = Anything()\n")
    _save(folder, ctx, nb)


def _deeply_nested(depth: int) -> Callable[[Path, Context], None]:
    """A valid-looking notebook whose first cell's metadata nests ``depth`` levels."""

    def apply(folder: Path, ctx: Context) -> None:
        text = (folder / ctx.notebook_name).read_text(encoding="utf-8")
        nested = '{"a": ' * depth + "1" + "}" * depth
        text = text.replace('"metadata": {', '"metadata": {"deep": ' + nested + ", ", 1)
        (folder / ctx.notebook_name).write_text(text, encoding="utf-8")

    return apply


def _huge_integers(folder: Path, ctx: Context) -> None:
    """Every answer a huge integer (10**400: too large for a float)."""
    nb = _nb(folder, ctx)
    for cell in nb.cells:
        if grade_id_of(cell).endswith("-answer"):
            cell.source = re.sub(r"^(answer_\d+) = .*$", r"\1 = 10**400", cell.source,
                                 flags=re.M)
    _save(folder, ctx, nb)


def _hard_link_to_source(folder: Path, ctx: Context) -> None:
    os.link(ctx.course_root / "source" / ctx.assignment / ctx.notebook_name,
            folder / "notes.ipynb")


def _symlink_to_other(folder: Path, ctx: Context) -> None:
    other = ctx.course_root / "submitted" / ctx.other_student / ctx.assignment / ctx.notebook_name
    (folder / "classmate.ipynb").symlink_to(other)


def _symlinked_notebook(folder: Path, ctx: Context) -> None:
    other = ctx.course_root / "submitted" / ctx.other_student / ctx.assignment / ctx.notebook_name
    (folder / ctx.notebook_name).unlink()
    (folder / ctx.notebook_name).symlink_to(other)


#: Reads the answer key, source/, release/, the gradebook and a classmate's work.
READ_SECRETS = '''\
import json, os
targets = ["{root}/source/{assignment}/{nb}", "{root}/gradebook.db", "{root}/release",
           "{root}/submitted/{other}/{assignment}/{nb}", "{root}/nbgrader_config.py",
           "../../../source/{assignment}/{nb}", "../../../gradebook.db", "/etc/shadow"]
found = {{}}
for path in targets:
    try:
        with open(path, "rb") as handle:
            handle.read(100)
        found[path] = "read"
    except Exception as exc:
        found[path] = type(exc).__name__
try:
    import solidarity_course.quiz.bank
    found["import solidarity_course"] = "read"
except Exception as exc:
    found["import solidarity_course"] = type(exc).__name__
print("PROBE " + json.dumps(found))
'''

#: Tries to change the gradebook (file and SQL) and to write outside its folder.
WRITE_OUTSIDE = '''\
import json, os, sqlite3
found = {{}}
for path in ["{root}/gradebook.db", "{root}/hostile-was-here.txt", "../../hostile-was-here.txt",
             "{root}/submitted/{other}/{assignment}/{nb}", "/work/hostile-was-here.txt"]:
    try:
        with open(path, "ab") as handle:
            handle.write(b"hostile")
        found[path] = "written"
    except Exception as exc:
        found[path] = type(exc).__name__
try:
    db = sqlite3.connect("{root}/gradebook.db")
    db.execute("update grade set manual_score = 99")
    db.commit()
    found["sql"] = "written"
except Exception as exc:
    found["sql"] = type(exc).__name__
print("PROBE " + json.dumps(found))
'''

NETWORK = '''\
import json, socket
found = {{}}
for host in ["127.0.0.1", "10.0.0.1", "1.1.1.1"]:
    try:
        socket.create_connection((host, {port}), timeout=3).close()
        found[host] = "connected"
    except Exception as exc:
        found[host] = type(exc).__name__
print("PROBE " + json.dumps(found))
'''

SHADOW_BUILTINS = '''\
import builtins, sys, types
builtins.isinstance = lambda *args: True
builtins.sorted = lambda items, **kw: list(items)
builtins.AssertionError = type("NeverRaised", (Exception,), {{}})
fake = types.ModuleType("solidarity_course.quiz.grading")
fake.grade = lambda question, answer: 1.0
for name in ["solidarity_course", "solidarity_course.quiz", "solidarity_course.quiz.grading"]:
    sys.modules[name] = fake
'''

INFINITE_LOOP = "while True:\n    pass\n"
MEMORY_BOMB = "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))\n"
FORK_BOMB = "import os\nwhile True:\n    os.fork()\n"
BIG_OUTPUT = "print('x' * 100_000_000)\n"
# (cells inserted by _insert are str.format templates: braces doubled)
UPDATE_DISPLAY_FLOOD = """\
from IPython.display import display, update_display
display("start", display_id="flood")
for i in range(2000):
    update_display({{"text/plain": "u" * 100_000}}, display_id="flood", raw=True)
"""
RECORD_FLOOD = """\
from IPython.display import display
for i in range(3000):
    display({{"application/vnd.solidarity-course.answer+json":
             {{"question": "x", "response": "y" * 20_000}}}}, raw=True)
"""
METADATA_FLOOD = """\
from IPython.display import display
for i in range(100):
    display({{"text/plain": "."}}, metadata={{"text/plain": {{"pad": "z" * 1_000_000}}}}, raw=True)
"""
KILL_PARENT = """\
import os, signal
for target in (os.getppid(), 1, -1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError as exc:
        print("refused:", target, exc)
os.killpg(0, signal.SIGKILL)
"""

#: How a script vector reports that it ran: a flag in the page and a request to the
#: counting server (the browser test fails on either).
PWN = "window.__pwned='{name}';fetch('http://127.0.0.1:{port}/{name}')"

#: Script vectors for markdown and essay cells ({pwn} is :data:`PWN` for the vector).
MARKDOWN_VECTORS = {
    "script": "<script>{pwn}</script>",
    "img-onerror": '<img src="x" onerror="{pwn}">',
    "svg-onload": '<svg onload="{pwn}"><circle r="4"/></svg>',
    "javascript-link": '<a id="jslink" href="javascript:{pwn}">click</a>',
    "md-javascript-link": "[md link](javascript:{pwn})",
    "iframe-srcdoc": '<iframe srcdoc="<script>parent.{pwn}</script>"></iframe>',
    "details-ontoggle": '<details open ontoggle="{pwn}"><summary>s</summary></details>',
    "body-onload": '<body onload="{pwn}">',
    "object-data": '<object data="data:text/html,<script>{pwn}</script>"></object>',
    "style-breakout": "<style>*{{}}</style><script>{pwn}</script>",
    "code-span-html": "`</code><script>{pwn}</script>`",
    "math-breakout": "$x</span><script>{pwn}</script>$",
}

#: Active outputs a student's code can emit (display, raw bundles, updates, metadata).
OUTPUT_VECTORS = """\
from IPython.display import HTML, SVG, Javascript, Markdown, display, update_display
pwn = {pwn!r}
display(HTML("<script>" + pwn.format(name="html-output") + "</script>"))
display(HTML('<img src=x onerror="' + pwn.format(name="html-onerror") + '">'))
display(Javascript(pwn.format(name="javascript-output")))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>' + pwn.format(name="svg-output")
            + '</script></svg>'))
display(Markdown("<img src=x onerror=\\"" + pwn.format(name="markdown-output") + "\\">"))
display({{"text/latex": "<img src=x onerror=\\"" + pwn.format(name="latex-output") + "\\">",
         "text/plain": "latex"}}, raw=True)
display({{"image/png": 'x" onerror="' + pwn.format(name="png-attribute"),
         "text/plain": "png"}}, raw=True)
display({{"image/png": "iVBORw0KGgo="}}, raw=True,
        metadata={{"image/png": {{"width": '1" onerror="' + pwn.format(name="png-width")}}}})
display({{"application/vnd.jupyter.widget-view+json": {{"model_id": "x", "version_major": 2,
         "version_minor": 0}}, "text/html": "<script>" + pwn.format(name="widget-view")
         + "</script>"}}, raw=True)
display(HTML("harmless"), display_id="later")
update_display(HTML("<script>" + pwn.format(name="update-display") + "</script>"),
               display_id="later")
"""


def _script_vectors(folder: Path, ctx: Context) -> None:
    """Script vectors in a markdown cell, the essay, the metadata and the outputs."""
    nb = _nb(folder, ctx)
    md = "\n\n".join(v.format(pwn=PWN.format(name=k, port=ctx.port))
                      for k, v in MARKDOWN_VECTORS.items())
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(md))
    for cell in nb.cells:
        if grade_id_of(cell).endswith("-essay"):
            pwn = PWN.format(name="essay", port=ctx.port)
            cell.source = f'My essay. <img src=x onerror="{pwn}">'

    nb.cells.insert(_test_cells(nb)[1] + 1, new_code_cell(OUTPUT_VECTORS.format(
        pwn=PWN.replace("{port}", str(ctx.port)))))
    nb.cells[1].metadata["tags"] = ['x"><script>' + PWN.format(name="cell-tag", port=ctx.port)
                                    + "</script>"]
    nb.metadata["title"] = "</title><script>" + PWN.format(name="title", port=ctx.port) \
        + "</script>"
    _save(folder, ctx, nb)


def grade_id_of(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


KINDS: list[Kind] = [
    Kind("malformed-json", _write_bytes(b'{"cells": [ {"cell_type": '), "problem",
         "malformed JSON"),
    Kind("wrong-nbformat", _wrong_nbformat, "problem", "wrong nbformat"),
    Kind("empty-file", _write_bytes(b""), "problem", "malformed JSON"),
    Kind("non-utf8", _write_bytes(b'{"cells": "\xff\xfe\xfa"}'), "problem", "malformed JSON"),
    Kind("renamed-notebook", _renamed, "problem", "missing notebook"),
    Kind("deleted-test-cell", _edit_cells(_delete_test), "problem", "missing cell"),
    Kind("edited-test-cell", _edit_cells(_edit_test), "graded", "was edited"),
    Kind("duplicated-test-cell", _edit_cells(_duplicate_test), "problem", "duplicate grade_id"),
    Kind("changed-cell-type", _edit_cells(_change_type), "problem", "changed cell type"),
    Kind("infinite-loop", _insert("middle", INFINITE_LOOP), "graded", "stopped"),
    Kind("memory-bomb", _insert("middle", MEMORY_BOMB), "graded", "MemoryError"),
    Kind("fork-bomb", _insert("end", FORK_BOMB), "graded", "stopped"),
    Kind("big-output", _insert("middle", BIG_OUTPUT), "graded", "dropped"),
    Kind("read-answer-key", _insert("middle", READ_SECRETS), "graded", probe=True),
    Kind("write-gradebook-and-outside", _insert("middle", WRITE_OUTSIDE), "graded", probe=True),
    Kind("network", _insert("middle", NETWORK), "graded", probe=True),
    Kind("shadowed-builtins", _insert("middle", SHADOW_BUILTINS), "graded"),
    Kind("always-equal-answer", _always_equal, "graded", "no answer recorded",
         zeroed=["FIRST"]),
    Kind("kill-parent", _insert("end", KILL_PARENT), "graded", "kernel died"),
    Kind("symlink-to-classmate", _symlink_to_other, "problem", "symbolic link"),
    Kind("symlinked-notebook", _symlinked_notebook, "problem", "symbolic link"),
    Kind("script-vectors", _script_vectors, "graded"),
    Kind("json-nested-beyond-recursion", _deeply_nested(200_000), "problem", "malformed JSON"),
    Kind("json-nested-deeply", _deeply_nested(500), "problem", "nested too deeply"),
    Kind("huge-integer-answers", _huge_integers, "graded", zeroed=["ALL"]),
    Kind("hard-link-to-source", _hard_link_to_source, "problem", "hard link"),
    Kind("update-display-flood", _insert("middle", UPDATE_DISPLAY_FLOOD), "graded",
         "beyond the limit"),
    Kind("answer-record-flood", _insert("middle", RECORD_FLOOD), "graded", "beyond the limit"),
    Kind("output-metadata-flood", _insert("middle", METADATA_FLOOD), "graded",
         "beyond the limit"),
]


def probes(notebook_path: Path) -> list[dict]:
    """The PROBE records printed in an autograded notebook."""
    nb = nbformat.read(notebook_path, as_version=4)
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith(PROBE_PREFIX):
                    found.append(json.loads(line.removeprefix(PROBE_PREFIX)))
    return found
