"""nbgrader's metadata check with the schema compiled once: same verdicts, one schema check."""

from __future__ import annotations

import copy

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator, common
from nbgrader.preprocessors import CheckCellMetadata

from solidarity_course.instructor.metadata_check import CompiledSchemas, install
from solidarity_course.paths import EXERCISES_DIR


@pytest.fixture(scope="module")
def source_notebook():
    path = sorted((EXERCISES_DIR / "source").glob("*/*.ipynb"))[0]
    return nbformat.read(path, as_version=4)


def test_a_real_notebook_still_validates_with_the_schema_checked_once(source_notebook,
                                                                      monkeypatch):
    schema_class = jsonschema.validators.validator_for(MetadataValidator().schema)
    original, checks = schema_class.check_schema, []
    monkeypatch.setattr(schema_class, "check_schema", classmethod(
        lambda cls, schema, **kw: checks.append(1) or original(schema, **kw)))
    monkeypatch.setattr(common, "jsonschema", CompiledSchemas())
    assert sum("nbgrader" in c.metadata for c in source_notebook.cells) > 5
    for _ in range(3):  # three notebooks graded by one worker
        CheckCellMetadata().preprocess(source_notebook, {})
    assert checks == [1]


def test_corrupted_metadata_gets_the_same_error_as_without_the_stand_in(source_notebook,
                                                                        monkeypatch):
    broken = copy.deepcopy(source_notebook)
    cell = next(c for c in broken.cells if c.metadata.get("nbgrader", {}).get("grade"))
    cell.metadata["nbgrader"]["points"] = "all of them"
    messages = []
    for stand_in in (jsonschema, CompiledSchemas()):
        monkeypatch.setattr(common, "jsonschema", stand_in)
        with pytest.raises(jsonschema.ValidationError) as caught:
            MetadataValidator().validate_cell(cell)
        messages.append(caught.value.message)
    assert messages[0] == messages[1] and "is not of type" in messages[0]


def test_install_is_idempotent(monkeypatch):
    monkeypatch.setattr(common, "jsonschema", jsonschema)
    install()
    first = common.jsonschema
    install()
    assert isinstance(first, CompiledSchemas) and common.jsonschema is first
