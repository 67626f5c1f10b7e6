"""The benchmark's own database: a marker table saying what was generated, the guard against running on a database
with other data, and (re)generation when the stored dataset does not match the scale asked for.

The marker is a plain table `bench_meta` (key, value) outside Django's models, so `flush` keeps it and no migration
of the project knows about it. A database without the marker but with NGOs, calls or contracts is someone's real or
demo data: the bench refuses to flush it unless told to with `--force`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from urllib.parse import urlsplit, urlunsplit

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench.generate import GENERATOR_VERSION, TextProgress, generate
from contracts.models import Contract
from providers.models import Provider
from tenders.models import Call

META_TABLE = "bench_meta"


def database_label() -> str:
    """Return the vendor and name of the default database, e.g. "sqlite bench.sqlite3"."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        name = name.rsplit("/", 1)[-1]
    return f"{connection.vendor} {name}"


def read_meta() -> dict | None:
    """Return what the marker table says about the generated dataset, or None when there is no marker."""
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608 -- a constant table name
        rows = cursor.fetchall()
    return {key: json.loads(value) for key, value in rows} if rows else None


def write_meta(meta: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key varchar(50) PRIMARY KEY, value text NOT NULL)")
        cursor.execute(f"DELETE FROM {META_TABLE}")  # noqa: S608 -- a constant table name
        for key, value in meta.items():
            cursor.execute(
                f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608 -- a constant table name
                [key, json.dumps(value, default=str)],
            )


def has_other_data() -> bool:
    """Return whether the database holds NGOs, calls or contracts that the bench did not make."""
    tables = set(connection.introspection.table_names())
    if META_TABLE in tables:
        return False
    models = (Provider, Call, Contract)
    return any(m._meta.db_table in tables and m.objects.exists() for m in models)


def _fast_writes() -> None:
    """Trade durability for speed while generating: a crash only means generating again."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL's autovacuum would come later)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def prepare(*, scale: float, seed: int, regenerate: bool, force: bool, stderr, stdout) -> dict:
    """Make sure the database holds the dataset of this scale and seed: refuse a database with other data unless
    `force`, migrate, and flush and generate when asked to or when the stored dataset differs. Return the marker."""
    if has_other_data():
        if not force:
            raise CommandError(
                f"The database ({database_label()}) holds NGOs, calls or contracts that the bench did not make. "
                "Run the bench on a dedicated database: `make bench` uses bench.sqlite3 unless DATABASE_URL is set "
                "(for PostgreSQL, e.g. postgres://…/gsz_bench). `--force` flushes this database instead."
            )
        stdout.write(f"--force: flushing {database_label()}, which holds data the bench did not make.")
    call_command("migrate", interactive=False, verbosity=0)
    meta = read_meta()
    wanted = {"scale": scale, "seed": seed, "version": GENERATOR_VERSION}
    current = meta and meta.get("complete") and all(meta.get(k) == v for k, v in wanted.items())
    if current and not regenerate:
        stdout.write(
            f"Using the dataset at scale {scale:g} generated {meta.get('generated_at', '?')} "
            f"in {meta.get('generated_seconds', 0):.0f} s (--regenerate makes it again)."
        )
        return meta
    stdout.write(f"Generating the dataset at scale {scale:g} (seed {seed}) in {database_label()}…")
    call_command("flush", interactive=False, verbosity=0)
    write_meta({**wanted, "complete": False})
    _fast_writes()
    started = time.perf_counter()
    counts = generate(scale, seed=seed, progress=TextProgress(stderr))
    generated = time.perf_counter() - started
    _analyze()
    meta = {
        **wanted,
        "complete": True,
        "counts": counts,
        "generated_seconds": round(generated, 1),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_label(),
    }
    write_meta(meta)
    stdout.write(f"Generated {sum(counts.values()):,} rows in {generated:.1f} s.")
    return meta


def scale_database_url(url: str, scale: float) -> str:
    """Return the URL of the dedicated database of another scale: bench.sqlite3 → bench-scale3.sqlite3,
    …/gsz_bench → …/gsz_bench_scale3."""
    tag = f"scale{scale:g}".replace(".", "_")
    if url.startswith("sqlite"):
        head, dot, suffix = url.rpartition(".")
        return f"{head}-{tag}.{suffix}" if dot and "/" not in suffix else f"{url}-{tag}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path=f"/{name}_{tag}"))


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of a URL through the current connection when it does not exist."""
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise CommandError(f"Refusing to create a database named {name!r}.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
