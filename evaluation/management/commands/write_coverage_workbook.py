from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import Region, ServiceType
from core.util import today
from evaluation.analytics import workbook
from evaluation.analytics.stability import default_window


class Command(BaseCommand):
    help = "Write the coverage workbook (XLSX) for a year and a stability window, for scheduled delivery."

    def add_arguments(self, parser):
        on = today()
        first, last = default_window(on)
        parser.add_argument("--year", type=int, default=on.year)
        parser.add_argument("--first", type=int, default=first, help="first year of the stability window")
        parser.add_argument("--last", type=int, default=last, help="last year of the stability window")
        parser.add_argument("--region", help="KATO code (2 digits) to limit the workbook to one region")
        parser.add_argument("--service", help="service type code to limit the workbook to one service")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[c for c, _n in settings.LANGUAGES])
        parser.add_argument("--out", required=True, help="path of the .xlsx file to write")

    def handle(self, *args, **options):
        if options["last"] < options["first"]:
            raise CommandError("--last must not be before --first")
        region = service = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"no region with code {options['region']}")
        if options["service"]:
            service = ServiceType.objects.filter(code=options["service"]).first()
            if service is None:
                raise CommandError(f"no service type {options['service']}")
        now = timezone.now()
        filters = {
            "year": options["year"],
            "first": options["first"],
            "last": options["last"],
            "region": region,
            "service": service,
        }
        citable = workbook.citable_id(now=now, **filters)
        with open(options["out"], "wb") as output:
            workbook.write_workbook(
                output, user=None, today=today(), now=now, citable=citable, language=options["language"], **filters
            )
        self.stdout.write(f"{options['out']}: {citable}")
