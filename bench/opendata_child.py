"""A child process of the open-data bench (bench/opendata.py), so its peak memory is the workload's alone:
`python -m bench.opendata_child prepare` makes the bench's releases; `... bulk` writes the bulk file. The last line
of output is JSON: peak and start-up resident set, seconds, and what was made."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    task = argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory
    from bench import measure, opendata
    from evaluation.analytics import ocds

    baseline = measure.current_rss_kb()
    started = time.perf_counter()
    if task == "prepare":
        made = opendata.prepare_releases(echo=lambda text: print(text, file=sys.stderr))
        result = {"releases": made["releases"], "made": made["made"]}
    elif task == "bulk":
        with tempfile.TemporaryDirectory() as folder:
            written = ocds.write_bulk_file(Path(folder) / ocds.BULK_NAME)
        result = {"releases": written["releases"], "bytes": written["bytes"]}
    else:
        print(f"unknown task {task!r}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    report = {"peak_kb": measure.peak_rss_kb(), "baseline_kb": baseline, "seconds": round(seconds, 3), **result}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
