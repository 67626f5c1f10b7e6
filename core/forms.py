from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core import mail, throttle
from core.documents import clean_display_name, validate_document
from core.middleware import client_ip
from core.validators import validate_single_line


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


class AdminLockoutAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    """The admin's login form (staff accounts only) behind the same lockout as the main login."""


class QuietPasswordResetForm(PasswordResetForm):
    """Django's password-reset form sending through `core.mail.deliver`: a safe subject, and a failure is logged,
    never an error page. The link is not kept for a retry: a person who gets no mail simply asks again."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        mail.deliver(subject=subject, body=body, to=[to_email], keep=False)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=200, validators=[validate_single_line])
    file = forms.FileField(
        label=_("File"), validators=[validate_document], help_text=_("PDF, DOCX, XLSX, JPG or PNG, up to 20 MB.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        upload.original_name = clean_display_name(upload.name)
        return upload
