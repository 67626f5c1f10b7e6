"""Load demo data: each app that has a `demo` module contributes, in app order (so core imports no later app)."""

import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.reference import load_reference


class Command(BaseCommand):
    help = "Load reference data and realistic demo data for every role (idempotent: runs once per database)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        load_reference()
        from core.demo import DEMO_PASSWORD, already_loaded

        if already_loaded():
            self.stdout.write("Demo data already loaded.")
        else:
            rng = random.Random(options["seed"])  # noqa: S311 - repeatable demo data, not cryptography
            context: dict = {}
            with transaction.atomic():
                for config in apps.get_app_configs():
                    try:
                        module = importlib.import_module(f"{config.name}.demo")
                    except ModuleNotFoundError as error:
                        if error.name != f"{config.name}.demo":
                            raise
                        continue
                    module.load(rng=rng, context=context, stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        from core.demo import DEMO_LOGINS

        for role, username, description in DEMO_LOGINS:
            self.stdout.write(f"  {role:<10} {username:<14} {description}")
