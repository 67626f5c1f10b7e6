"""Make an analytics snapshot (daily, by cron) and apply the retention rule."""

from django.core.management.base import BaseCommand

from evaluation.analytics.snapshots import make_snapshot, prune
from evaluation.models import Snapshot


class Command(BaseCommand):
    help = "Compute the analytics (coverage of every year, stability, red flags) into a new numbered snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--no-prune", action="store_true", help="keep every snapshot (skip the retention rule)")

    def handle(self, *args, **options):
        snapshot = make_snapshot(trigger=Snapshot.Trigger.SCHEDULED)
        removed = 0 if options["no_prune"] else prune()
        self.stdout.write(
            f"Snapshot #{snapshot.pk} as of {snapshot.as_of:%d.%m.%Y}: {snapshot.cells.count()} cells, "
            f"{snapshot.stability.count()} stability rows, {snapshot.flags.count()} flags; "
            f"sha256 {snapshot.content_hash}; {removed} old snapshot(s) removed by the retention rule."
        )
