"""nbgrader's cell-metadata check, with its JSON schema compiled once.

nbgrader validates each cell's ``nbgrader`` metadata with ``jsonschema.validate``,
which checks the *schema itself* before every instance: for the course's
assignments, 64 schema checks per graded notebook (autograde makes two passes),
about 0.15 s of CPU, a tenth of the time a worker spends on one student.
nbgrader has no setting for it, so :func:`install` gives nbgrader's validator
module a stand-in for ``jsonschema`` whose ``validate`` reuses one checked
validator per schema; errors and every other check stay nbgrader's.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema


class CompiledSchemas:
    """``jsonschema`` with ``validate`` checking each distinct schema once."""

    def __init__(self) -> None:
        self._validators: dict[str, Any] = {}

    def validate(self, instance, schema) -> None:
        """What ``jsonschema.validate`` does, without re-checking a schema seen before."""
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name: str):
        return getattr(jsonschema, name)


def install() -> None:
    """Use :class:`CompiledSchemas` in nbgrader's metadata validator (idempotent)."""
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, CompiledSchemas):
        common.jsonschema = CompiledSchemas()  # type: ignore[assignment]
