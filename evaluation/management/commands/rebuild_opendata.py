"""Scheduled: publish the OCDS releases of public events that have none yet, then rewrite the bulk file."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from evaluation.analytics import ocds


class Command(BaseCommand):
    help = (
        "Publish the OCDS releases of recent public events that have none (a lost commit hook), then rewrite the "
        "bulk file of every release atomically. Idempotent; run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=7,
            help="Look for events without a release this many days back (default 7).",
        )
        parser.add_argument(
            "--all", action="store_true", help="Look through the whole history (the first run, after imports)."
        )

    def handle(self, *args, **options):
        since = None if options["all"] else timezone.now() - dt.timedelta(days=options["days"])
        result = ocds.rebuild_opendata(since=since)
        self.stdout.write(
            f"{result['published']} new releases; bulk file {result['path']}: "
            f"{result['releases']} releases, {result['bytes']} bytes"
        )
