"""The upload form of imports."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import registry


def kind_choices() -> list[tuple[str, str]]:
    return [("", gettext_lazy("— from the file name —"))] + [(kind.code, kind.label) for kind in registry.kinds()]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An .xlsx workbook made from the template, or one CSV sheet."),
    )
    csv_kind = forms.ChoiceField(
        label=gettext_lazy("Records in a CSV file"),
        required=False,
        choices=kind_choices,
        help_text=gettext_lazy("For a CSV file only: which sheet of the template it holds."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.GSZ["UPLOAD_MAX_BYTES"]
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; split it into several files.") % {"limit": filesizeformat(limit)}
            )
        return upload
