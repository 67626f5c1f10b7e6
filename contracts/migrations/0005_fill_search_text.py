"""Fill the search column of the contracts that existed before it (every later save keeps it)."""

from django.db import migrations

from core.search import fill_search_text


def fill(apps, schema_editor):
    fill_search_text(apps.get_model("contracts", "Contract"), ("number",))


class Migration(migrations.Migration):
    dependencies = [("contracts", "0004_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
