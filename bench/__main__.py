"""`python -m bench`: build the national-scale synthetic dataset in a dedicated database and measure the analytics,
the coverage workbook and the committee pages against their comparisons; print a table and write it as JSON.

Development tooling, not part of the application: it sets Django up itself, so no app imports it. `make bench` runs
it on bench.sqlite3 unless DATABASE_URL names another (dedicated) database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path


class Lines:
    """Write messages to a stream one line each (what the bench's helpers expect of stdout and stderr)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, message: str) -> None:
        print(message, file=self.stream, flush=True)


def _scales(text: str) -> list[float]:
    from django.core.management.base import CommandError

    try:
        return sorted({float(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise CommandError(f"--memory-scales takes numbers separated by commas, not {text!r}.") from error


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build the synthetic national-scale dataset (in a dedicated database) and measure coverage, "
        "stability, the coverage workbook and the committee pages against their baselines and targets.",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply the dataset (1 = national scale).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the generator (default 1).")
    parser.add_argument("--repeat", type=int, default=5, help="Repetitions of each timing (median).")
    parser.add_argument("--requests", type=int, default=30, help="Requests per page for the latency.")
    parser.add_argument("--regenerate", action="store_true", help="Generate the dataset again.")
    parser.add_argument(
        "--force", action="store_true", help="Flush a database that holds data the bench did not make."
    )
    parser.add_argument("--generate-only", action="store_true", help="Prepare the dataset and stop.")
    parser.add_argument("--json", default="bench-results.json", help="Where to write the results.")
    parser.add_argument(
        "--memory-scales",
        default=None,
        help="Scales at which the workbook's peak memory is measured, e.g. 1,3 (default: the scale and 3× it; "
        "'none' skips). Other scales use their own database: bench-scale3.sqlite3, or <name>_scale3.",
    )
    parser.add_argument("--no-naive", action="store_true", help="Skip the slow naive ORM baselines.")
    return parser


def setup_django() -> None:
    """Set Django up as manage.py does, and measure as production runs: no query log, no template debugging."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # before generating too: a query log of bulk inserts would fill the memory
    from django.template import engines

    for engine in engines.all():
        if hasattr(engine, "engine"):
            engine.engine.debug = False


def run(options: argparse.Namespace, *, stdout=None, stderr=None) -> None:
    """Prepare the dataset and, unless told to stop there, measure and write the results."""
    import django

    from bench import measure
    from bench.database import database_label, prepare
    from bench.generate import AS_OF

    stdout, stderr = Lines(stdout or sys.stdout), stderr or sys.stderr
    scale = options.scale
    started = dt.datetime.now(dt.UTC)
    meta = prepare(
        scale=scale,
        seed=options.seed,
        regenerate=options.regenerate,
        force=options.force,
        stderr=stderr,
        stdout=stdout,
    )
    if options.generate_only:
        return
    memory_databases = _memory_databases(options)
    rows = measure.run(
        measure.Options(
            scale=scale,
            repeat=options.repeat,
            requests=options.requests,
            naive=not options.no_naive,
            memory_databases=memory_databases,
            echo=Lines(stderr).write,
        )
    )
    result_meta = {
        "database": database_label(),
        "scale": scale,
        "seed": options.seed,
        "counts": meta.get("counts", {}),
        "generated_seconds": meta.get("generated_seconds"),
        "generated_at": meta.get("generated_at"),
        "as_of": AS_OF.isoformat(),
        "year": AS_OF.year - 1,
        "window": [AS_OF.year - 5, AS_OF.year - 1],
        "repeat": options.repeat,
        "requests": options.requests,
        "memory_scales": sorted(memory_databases),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    counts = result_meta["counts"]
    stdout.write("")
    stdout.write(
        f"Benchmark on {result_meta['database']}, scale {scale:g} (as of {AS_OF}): "
        + ", ".join(f"{counts[k]:,} {k}s" for k in ("provider", "call", "bid", "contract", "tranche") if k in counts)
        + ", "
        + ", ".join(f"{counts[k]:,} {k}s" for k in ("report", "actual") if k in counts)
        + f"; generated in {meta.get('generated_seconds', 0):.0f} s."
    )
    stdout.write(measure.table(rows))
    path = Path(options.json)
    path.write_text(json.dumps(measure.as_json(rows, result_meta), ensure_ascii=False, indent=2, default=str))
    stdout.write(f"Written to {path}.")


def _memory_databases(options: argparse.Namespace) -> dict[float, str | None]:
    """Return scale → DATABASE_URL of the databases the peak memory is measured on, generating the datasets of other
    scales in their own databases (None: the database of this run)."""
    from django.conf import settings
    from django.core.management.base import CommandError
    from django.db import connection

    from bench.database import ensure_postgres_database, scale_database_url

    text = options.memory_scales
    scale = options.scale
    if text is None:
        text = f"{scale:g},{3 * scale:g}"
    if text.strip().lower() in ("", "none", "0"):
        return {}
    here = os.environ.get("DATABASE_URL") or _current_url()
    databases: dict[float, str | None] = {}
    for other in _scales(text):
        if other == scale:
            databases[other] = None
            continue
        url = scale_database_url(here, other)
        if connection.vendor == "postgresql":
            ensure_postgres_database(url)
        print(f"Preparing the dataset at scale {other:g} for the memory measurement…", file=sys.stderr, flush=True)
        env = {**os.environ, "DATABASE_URL": url}
        command = [
            sys.executable,
            "-m",
            "bench",
            "--generate-only",
            "--scale",
            f"{other:g}",
            "--seed",
            str(options.seed),
        ]
        # This interpreter running this package with arguments made here, never user input.
        done = subprocess.run(command, cwd=settings.BASE_DIR, env=env, check=False)  # noqa: S603
        if done.returncode != 0:
            raise CommandError(f"Could not prepare the dataset at scale {other:g} ({url}).")
        databases[other] = url
    return databases


def _current_url() -> str:
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor != "sqlite":
        raise CommandError("Set DATABASE_URL to measure memory at other scales on this database.")
    return f"sqlite:///{connection.settings_dict['NAME']}"


def main(argv: list[str] | None = None) -> int:
    arguments = parser()
    options = arguments.parse_args(argv)
    if options.scale <= 0:
        arguments.error("--scale must be positive.")
    setup_django()
    from django.core.management.base import CommandError

    try:
        run(options)
    except CommandError as error:
        print(f"python -m bench: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
