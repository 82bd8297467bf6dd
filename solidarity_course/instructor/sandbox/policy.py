"""The limits of one kernel's jail, as the course configures them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields


class SandboxUnavailable(RuntimeError):
    """The jail cannot start here (message says why and what to do)."""


@dataclass(frozen=True)
class SandboxPolicy:
    """Limits of one kernel's jail (configurable as ``c.CourseGrade.sandbox_limits``).

    A plain dataclass, so that the launcher starts without importing pydantic;
    settings from the course are validated by pydantic (:meth:`from_settings`).
    """

    __pydantic_config__ = {"extra": "forbid"}

    cpu_seconds: int = 600
    memory_bytes: int = 2 * 1024**3
    processes: int = 64
    file_bytes: int = 64 * 1024**2
    open_files: int = 256
    tmp_bytes: int = 128 * 1024**2
    output_bytes: int = 8 * 1024**2

    def __post_init__(self):
        small = [f.name for f in fields(self) if getattr(self, f.name) < 1]
        if small:
            raise ValueError(f"{', '.join(small)} must be at least 1")

    @classmethod
    def from_settings(cls, settings: dict | None) -> SandboxPolicy:
        """A policy from a (possibly partial) dict; raises ValueError naming a bad limit."""
        from pydantic import TypeAdapter, ValidationError

        try:
            return TypeAdapter(cls).validate_python(dict(settings or {}))
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                name = ".".join(str(part) for part in error["loc"])
                if error["type"] == "unexpected_keyword_argument":
                    problems.append(f"unknown sandbox limit {name!r} (known: "
                                    f"{', '.join(f.name for f in fields(cls))})")
                elif name:
                    problems.append(f"sandbox limit {name!r}: {error['msg']}")
                else:
                    problems.append("sandbox limit " + error["msg"].removeprefix("Value error, "))
            raise ValueError("; ".join(problems)) from None

    @classmethod
    def from_json(cls, text: str) -> SandboxPolicy:
        """The policy written by :meth:`to_json` (trusted: made by the grader)."""
        return cls(**json.loads(text))

    def to_json(self) -> str:
        """The policy as JSON (passed to the launcher on its command line)."""
        return json.dumps(asdict(self), sort_keys=True)
