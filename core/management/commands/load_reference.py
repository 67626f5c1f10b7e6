from django.core.management.base import BaseCommand

from core.reference import load_reference


class Command(BaseCommand):
    help = "Load regions, service types and indicators from the reference CSV files (idempotent)."

    def handle(self, *args, **options):
        counts = load_reference()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
