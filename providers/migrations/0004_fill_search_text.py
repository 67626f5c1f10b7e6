"""Fill the search column of the providers that existed before it (every later save keeps it)."""

from django.db import migrations

from core.search import fill_search_text


def fill(apps, schema_editor):
    fill_search_text(
        apps.get_model("providers", "Provider"),
        (
            "name_ru",
            "name_kk",
            "bin",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("providers", "0003_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
