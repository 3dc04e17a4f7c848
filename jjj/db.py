"""Database engines: SQLite (WAL) embedded by default, PostgreSQL in production; the same code runs on both.

Only SQLAlchemy Core with bound parameters is used: no SQL is built by string formatting.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool


def normalise_url(url: str) -> str:
    """Accept libpq-style URLs and use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def json_text(value) -> str:  # noqa: ANN001
    """JSON columns' text: compact UTF-8 by orjson (~10x ``json.dumps``; the hub writes a JSON column or two per
    message and reads them back when it recomputes), integer dict keys as strings like ``json.dumps``."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def json_value(text):  # noqa: ANN001, ANN201
    """JSON columns' value from text; anything else raises TypeError, as ``json.loads`` does: SQLAlchemy's SQLite
    JSON type then keeps the value as it is (a JSON number in a column of NUMERIC affinity comes back a number)."""
    if isinstance(text, str | bytes | bytearray | memoryview):
        return orjson.loads(text)
    raise TypeError(f"JSON text expected, not {type(text).__name__}")


#: the engines' JSON (de)serializers: every JSON column of the platform goes through these two
JSON_CODEC = {"json_serializer": json_text, "json_deserializer": json_value}


def make_engine(url: str, *, pool_size: int = 5, sqlite_pool: bool = False, custom_plans: bool = False) -> Engine:
    """An engine for `url`; SQLite files get WAL, a busy timeout and foreign keys.

    SQLite connections are opened per use (NullPool: a worker or a command holds one at a time, and no file handle
    outlives it) unless ``sqlite_pool``: the web app keeps a few open, so each request skips the open and the
    pragmas and reads through a warm page cache (~2–3 ms less per request)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool = {"pool_size": pool_size, "max_overflow": pool_size} if sqlite_pool else {"poolclass": NullPool}
        engine = create_engine(url, **pool, connect_args={"timeout": 30, "check_same_thread": False}, **JSON_CODEC)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # the server shows which process a backend serves (pg_stat_activity.application_name: "jjj hub run", ...)
    named = {"connect_args": pg_connect_args(custom_plans=custom_plans)} if url.startswith("postgresql") else {}
    if os.environ.get("JJJ_DB_NULLPOOL") == "1":  # tests: each test has its own database, dropped at its end
        return create_engine(url, poolclass=NullPool, **named, **JSON_CODEC)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, **named,
                         **JSON_CODEC)


def pg_connect_args(*, custom_plans: bool = False) -> dict:
    """libpq parameters of every PostgreSQL connection: the application name, JIT compilation off, and for the hub
    worker's engines (``custom_plans``) a plan for every execution of a prepared statement (each overridable).

    * ``plan_cache_mode=force_custom_plan`` (``JJJ_PG_PLAN_CACHE_MODE`` for every process when set; empty = the
      server's setting): psycopg prepares a statement on the server after five executions, and PostgreSQL may then
      keep one generic plan for it. A worker starting on fresh tables made that plan while they were empty: the
      processed-id look-up (``message_id = ANY(...)`` on the primary key) stayed a sequential scan as the table
      grew, until autovacuum's first ANALYZE (``autovacuum_naptime``, a minute) invalidated it; the bench's steady
      500 msg/s pass crept to p99 3–7 s with the server at ~850 µs CPU per message. Only the hub worker's engines
      ask for it: planning every execution cost the adapter's outbox publisher more than it saved (the bench's
      adapter pass on PostgreSQL, 0.47 against 0.54 with the server's ``auto``).
    * ``jit=off`` unless ``JJJ_PG_JIT=on``: once a table's estimates passed ``jit_above_cost`` each execution of
      the platform's short statements compiled its plan (tens of milliseconds of server CPU a statement).

    docs/perf/e2e.md has both stories."""
    args: dict = {"application_name": application_name()}
    options = []
    plan_cache = os.environ.get("JJJ_PG_PLAN_CACHE_MODE", "force_custom_plan" if custom_plans else "").strip()
    if plan_cache:
        if plan_cache not in ("auto", "force_custom_plan", "force_generic_plan"):
            raise ValueError(f"JJJ_PG_PLAN_CACHE_MODE={plan_cache!r}: auto, force_custom_plan or force_generic_plan")
        options.append(f"-c plan_cache_mode={plan_cache}")
    if os.environ.get("JJJ_PG_JIT", "off").lower() not in ("on", "1", "true"):
        options.append("-c jit=off")
    if options:
        args["options"] = " ".join(options)
    return args


def application_name() -> str:
    """``JJJ_DB_APPLICATION_NAME``, else the command (``jjj hub run``, ``jjj adapter beijing run``): ≤ 63 bytes."""
    import sys

    name = os.environ.get("JJJ_DB_APPLICATION_NAME") or " ".join(
        ["jjj", *[a for a in sys.argv[1:4] if not a.startswith("-")][:3]])
    return name.encode("ascii", "replace")[:63].decode("ascii")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


_create_lock = __import__("threading").Lock()


def create_tables(metadata, engine: Engine) -> None:  # noqa: ANN001
    """Create missing tables; safe when several threads or processes start at once (the loser retries)."""
    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    with _create_lock:
        for attempt in range(3):
            try:
                metadata.create_all(engine)
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                if attempt == 2:
                    raise


def copy_rows(conn, table_name: str, columns: tuple[str, ...] | list[str], rows) -> int:  # noqa: ANN001
    """PostgreSQL with psycopg 3: ``COPY table (columns) FROM STDIN`` of ``rows`` (tuples in column order) on the
    transaction's own connection: one round trip instead of one INSERT per row. Identifiers are quoted by psycopg,
    values sent as data, never as SQL. A psycopg error is raised as SQLAlchemy raises its own statements' errors
    (``DBAPIError``: IntegrityError, OperationalError …), and a lost server invalidates the pooled connection, so
    callers retry as for any statement. Returns the number of rows written."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.exc import DBAPIError

    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table_name),
                                                     sql.SQL(", ").join(map(sql.Identifier, columns)))
    n = 0
    try:
        with conn.connection.driver_connection.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    except psycopg.Error as exc:
        disconnect = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if disconnect:
            conn.invalidate(exc)
        raise DBAPIError.instance(f"COPY {table_name}", None, exc, psycopg.Error,
                                  connection_invalidated=disconnect, dialect=conn.dialect) from exc
    return n
