from django.core.management.base import BaseCommand

from tenders.services import deadline_reminders


class Command(BaseCommand):
    help = (
        "Remind NGOs holding draft bids 48 hours before a deadline, and officers of calls past their deadline "
        "not yet opened (idempotent)."
    )

    def handle(self, *args, **options):
        sent = deadline_reminders()
        self.stdout.write(f"calls reminded: {sent['draft_holders']} (draft holders), {sent['unopened']} (unopened)")
