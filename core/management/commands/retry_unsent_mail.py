from django.core.management.base import BaseCommand

from core.mail import retry_unsent


class Command(BaseCommand):
    help = "Send again the notifications the mail system refused (run it every few minutes from cron)."

    def handle(self, *args, **options):
        result = retry_unsent()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in result.items()))
