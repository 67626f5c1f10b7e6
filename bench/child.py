"""Run one workload of the benchmark in a fresh process and print its peak memory as JSON on the last line:
`python -m bench.child TASK '{"year": …}'` (DATABASE_URL picks the database, as everywhere).

A fresh process measures the workload alone: nothing the parent loaded, cached or freed counts.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    task, params = argv[1], json.loads(argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory
    from bench import measure

    baseline = measure.current_rss_kb()
    started = time.perf_counter()
    measure.run_task(task, params)
    seconds = time.perf_counter() - started
    print(json.dumps({"peak_kb": measure.peak_rss_kb(), "baseline_kb": baseline, "seconds": round(seconds, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
