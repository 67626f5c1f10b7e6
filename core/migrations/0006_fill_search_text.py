"""Fill the search column of the agencys that existed before it (every later save keeps it)."""

from django.db import migrations

from core.search import fill_search_text


def fill(apps, schema_editor):
    fill_search_text(
        apps.get_model("core", "Agency"),
        (
            "name_ru",
            "name_kk",
            "short_name_ru",
            "short_name_kk",
            "bin",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0005_agency_short_name_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
