"""Copy a gradebook to another database (SQLite to PostgreSQL), verified row for row.

nbgrader's schema is SQLAlchemy's (``nbgrader.api.Base``), so the copy creates that
schema in the target, copies every table in dependency order inside one
transaction, carries the schema version (``alembic_version``) over, and then
reads both databases back and compares every row.  A target that already holds
gradebook rows is refused: a migration never merges into or overwrites a
gradebook.  Primary keys are nbgrader's own UUID strings, so no sequence needs
resetting afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table, create_engine, inspect, select
from sqlalchemy.engine import Engine

from .course import CourseError


@dataclass
class MigrationResult:
    """Rows copied per table (all verified equal in source and target)."""

    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables(engine: Engine) -> list[Table]:
    """nbgrader's tables, parents first, plus ``alembic_version`` when present."""
    from nbgrader.api import Base

    tables = list(Base.metadata.sorted_tables)
    if inspect(engine).has_table("alembic_version"):
        tables.append(Table("alembic_version", MetaData(), autoload_with=engine))
    return tables


def _rows(conn, table: Table) -> list[tuple]:
    """Every row of ``table``, sorted in Python (databases collate strings differently)."""
    return sorted((tuple(r) for r in conn.execute(select(table))), key=repr)


def _refuse_non_empty(target: Engine, tables: list[Table]) -> None:
    existing = set(inspect(target).get_table_names())
    with target.connect() as conn:
        for table in tables:
            if table.name in existing and conn.execute(select(table).limit(1)).first():
                raise CourseError(f"the target database already holds a gradebook (table "
                                  f"{table.name!r} has rows): migrate only into an empty "
                                  "database")


def migrate(source_url: str, target_url: str) -> MigrationResult:
    """Copy the gradebook at ``source_url`` into the empty database at ``target_url``."""
    from nbgrader.api import Base

    if source_url == target_url:
        raise CourseError("the target is the course's own gradebook: give another --to URL")
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        tables = _tables(source)
        _refuse_non_empty(target, tables)
        Base.metadata.create_all(bind=target)
        result = MigrationResult(source.url.render_as_string(), target.url.render_as_string())
        with source.connect() as src, target.begin() as dst:
            for table in tables:
                if table.name == "alembic_version":
                    table.create(bind=dst, checkfirst=True)
                rows = [r._asdict() for r in src.execute(select(table))]
                if rows:
                    dst.execute(table.insert(), rows)
                result.rows[table.name] = len(rows)
        _verify(source, target, tables)
        return result
    finally:
        source.dispose()
        target.dispose()


def _verify(source: Engine, target: Engine, tables: list[Table]) -> None:
    """Raise :class:`CourseError` naming the first table whose rows differ."""
    with source.connect() as src, target.connect() as dst:
        for table in tables:
            a, b = _rows(src, table), _rows(dst, table)
            if a != b:
                raise CourseError(f"verification failed: table {table.name!r} has {len(a)} "
                                  f"rows in the source and {len(b)} in the target, or rows "
                                  "that differ; the target is left for inspection")
