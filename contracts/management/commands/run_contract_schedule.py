from django.core.management.base import BaseCommand

from contracts.services import run_schedule


class Command(BaseCommand):
    help = (
        "Generate missing reporting periods, complete finished contracts whose reports are all accepted, and send "
        "due and overdue report reminders (idempotent; run daily)."
    )

    def handle(self, *args, **options):
        result = run_schedule()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in result.items()))
