"""Fill the search column of the calls that existed before it (every later save keeps it)."""

from django.db import migrations

from core.search import fill_search_text


def fill(apps, schema_editor):
    fill_search_text(
        apps.get_model("tenders", "Call"),
        (
            "number",
            "title_ru",
            "title_kk",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("tenders", "0004_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
