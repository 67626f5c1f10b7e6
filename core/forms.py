from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core import throttle
from core.documents import clean_display_name, validate_document
from core.middleware import client_ip


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing a username from an IP address after repeated failures."""

    def clean(self):
        username = self.cleaned_data.get("username", "")
        ip = client_ip(self.request) if self.request else None
        until = throttle.locked_until(username, ip)
        if until:
            raise forms.ValidationError(
                _("Too many failed attempts. Try again after %(time)s, or reset your password."),
                code="locked",
                params={"time": formats.time_format(timezone.localtime(until), "H:i")},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            throttle.register_failure(username, ip)
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        throttle.register_success(self.cleaned_data.get("username", ""), client_ip(self.request))


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=200)
    file = forms.FileField(
        label=_("File"), validators=[validate_document], help_text=_("PDF, DOCX, XLSX, JPG or PNG, up to 20 MB.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        upload.original_name = clean_display_name(upload.name)
        return upload
