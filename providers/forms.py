from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import Region, Role, ServiceType
from core.util import today
from core.validators import bin_error, validate_single_line
from providers.models import AccessRequest, Invitation, Provider, ServiceArea, StaffMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BinField(forms.CharField):
    """A BIN input that says in words what is wrong."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("BIN"))
        kwargs.setdefault("help_text", _("12 digits, as on the certificate of state registration."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        value = (value or "").replace(" ", "")
        error = bin_error(value)
        if error:
            raise ValidationError(error, code="invalid_bin")
        return value


class ProviderForm(forms.ModelForm):
    bin = BinField()
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = [
            "name_ru",
            "name_kk",
            "bin",
            "legal_form",
            "registration_date",
            "home_region",
            "address",
            "phone",
            "email",
            "website",
            "ngo_db_listed",
            "ngo_db_last_submission",
        ]
        widgets = {"registration_date": DATE, "ngo_db_last_submission": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_region"].queryset = Region.objects.filter(level=Region.Level.FIRST)
        if self.instance.pk:
            self.fields["bin"].disabled = True  # the BIN identifies the organisation; an admin corrects it

    def clean_registration_date(self):
        value = self.cleaned_data["registration_date"]
        if value and value > today():
            raise ValidationError(_("The registration date cannot be in the future."))
        return value

    def clean_bin(self):
        value = self.cleaned_data["bin"]
        if self.instance.pk:
            return self.instance.bin
        existing = Provider.objects.filter(bin=value).first()
        if existing:
            url = reverse("providers:access-request") + f"?bin={value}"
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("An organisation with this BIN is already registered."),
                    url,
                    _("Ask an administrator to give you access."),
                ),
                code="bin_taken",
            )
        return value

    def clean(self):
        data = super().clean()
        last = data.get("ngo_db_last_submission")
        if last and not data.get("ngo_db_listed"):
            self.add_error("ngo_db_listed", _("A submission date needs a listing in the NGO database."))
        if last and last > today():
            self.add_error("ngo_db_last_submission", _("The submission date cannot be in the future."))
        return data


class AccountForm(forms.Form):
    """The person's account, for registration and for accepting an invitation."""

    username = forms.CharField(label=_("Username"), max_length=150, validators=[get_user_model().username_validator])
    first_name = forms.CharField(label=_("First name"), max_length=150, validators=[validate_single_line])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[validate_single_line])
    email = forms.EmailField(label=_("Email"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            user = get_user_model()(
                username=data.get("username", ""), email=data.get("email", ""), first_name=data.get("first_name", "")
            )
            try:
                password_validation.validate_password(data["password1"], user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def create_user(self, language: str):
        data = self.cleaned_data
        user = get_user_model()(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=Role.NGO,
            preferred_language=language,
        )
        user.set_password(data["password1"])
        user.save()
        return user


class ServiceAreaForm(forms.ModelForm):
    class Meta:
        model = ServiceArea
        fields = ["region", "service_type", "capacity"]

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.instance.provider = provider
        self.fields["region"].queryset = Region.objects.filter(level=Region.Level.FIRST)
        self.fields["service_type"].queryset = ServiceType.objects.all()

    def clean(self):
        data = super().clean()
        duplicate = ServiceArea.objects.filter(
            provider=self.provider, region=data.get("region"), service_type=data.get("service_type")
        ).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise ValidationError(_("This region and service are already in your service areas."))
        return data


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = [
            "full_name",
            "position",
            "qualification",
            "certification_expiry",
            "no_record_certificate_date",
            "is_active",
        ]
        widgets = {"certification_expiry": DATE, "no_record_certificate_date": DATE}

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.provider = provider

    def clean_no_record_certificate_date(self):
        value = self.cleaned_data["no_record_certificate_date"]
        if value and value > today():
            raise ValidationError(_("The certificate date cannot be in the future."))
        return value


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email"]

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.provider.memberships.filter(user__email__iexact=email).exists():
            raise ValidationError(_("This person is already a member."))
        return email


class AccessRequestForm(forms.ModelForm):
    bin = BinField()

    class Meta:
        model = AccessRequest
        fields = ["bin", "full_name", "position", "email", "phone", "message"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
