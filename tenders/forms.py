import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Indicator, Region, Role, ServiceType
from core.templatetags.gsz import amount as amount_text
from core.util import local_date
from tenders import rules
from tenders.models import (
    ABNORMALLY_LOW_SHARE,
    Bid,
    BidCostItem,
    Call,
    CallBudgetLine,
    CallTarget,
    Complaint,
    Criterion,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "number",
            "title_ru",
            "title_kk",
            "description_ru",
            "description_kk",
            "region",
            "service_type",
            "target_group",
            "start_year",
            "duration_years",
            "opens_at",
            "deadline",
            "min_qualified_staff",
            "min_experience_years",
            "requires_ngo_listing",
            "min_winning_score",
            "quorum",
            "outcome_share",
            "portal_announcement_number",
            "portal_lot_number",
        ]
        widgets = {
            "opens_at": DATETIME,
            "deadline": DATETIME,
            "description_ru": forms.Textarea(attrs={"rows": 4}),
            "description_kk": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M"]
        regions = Region.objects.filter(level=Region.Level.FIRST)
        if user.agency.region_id:  # a regional body buys for its own region; a ministry for any
            regions = regions.filter(pk=user.agency.region_id)
        self.fields["region"].queryset = regions
        self.fields["service_type"].queryset = ServiceType.objects.all()
        self.now = timezone.now()
        minimum = rules.submission_minimum(local_date(self.now))
        self.earliest_deadline = rules.earliest_deadline(self.now)
        self.fields["deadline"].help_text = _(
            "Earliest allowed deadline if published today: %(day)s (the submission period is %(rule)s, from "
            "publication or the opening of submissions, if later)."
        ) % {"day": f"{self.earliest_deadline:%d.%m.%Y}", "rule": minimum.describe()}
        if self.instance.pk and self.instance.status == Call.Status.PUBLISHED:
            # Published: the years and money are fixed; the deadline moves only through an extension.
            for name in ("number", "region", "service_type", "start_year", "duration_years", "opens_at", "deadline"):
                self.fields[name].disabled = True

    def clean_start_year(self):
        year = self.cleaned_data["start_year"]
        if not 2000 <= year <= timezone.localdate().year + 3:
            raise ValidationError(_("Enter a realistic first year."))
        return year

    def clean(self):
        data = super().clean()
        opens, deadline = data.get("opens_at"), data.get("deadline")
        if opens and deadline and deadline <= opens:
            self.add_error("deadline", _("The deadline must be after submission opens."))
        setting_deadline = not self.instance.pk or "deadline" in self.changed_data  # creating, or editing a draft's
        if setting_deadline and deadline and deadline <= timezone.now():
            self.add_error("deadline", _("The deadline cannot be in the past."))
        elif deadline and not self.fields["deadline"].disabled:
            earliest = rules.earliest_deadline(self.now, opens)
            if local_date(deadline) < earliest:
                rule = rules.submission_minimum(local_date(self.now)).describe()
                self.add_error(
                    "deadline",
                    _("The deadline must fall on %(day)s or later: the submission period is %(rule)s.")
                    % {"day": f"{earliest:%d.%m.%Y}", "rule": rule},
                )
        region = data.get("region")
        if region and data.get("start_year") and not region.exists_in(data["start_year"]):
            self.add_error("start_year", _("The region did not exist in that year."))
        return data


class BaseBudgetLineFormSet(forms.BaseInlineFormSet):
    """The budget lines of a call: one per year, each a year of the call. The call's years are read from the
    call (`instance`) as the call form left it once validated (the view validates the call form first); the
    uniqueness of (call, year) is checked here against the lines saved meanwhile too, never left to the database."""

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        years = [f.cleaned_data["year"] for f in kept]
        if len(years) != len(set(years)):
            raise ValidationError(_("Each year may have one budget line only."))
        call = self.instance
        if call.start_year and call.duration_years:
            outside = sorted(set(years) - set(call.years))
            if outside:
                raise ValidationError(
                    _("A budget line must be for a year of the call, %(first)d–%(last)d (not %(years)s).")
                    % {"first": call.start_year, "last": call.end_year, "years": ", ".join(map(str, outside))}
                )
        if call.pk:
            # Lines this page did not show were added by someone else after it was loaded.
            known = [f.instance.pk for f in self.initial_forms if f.instance.pk]
            unseen = set(CallBudgetLine.objects.filter(call=call).exclude(pk__in=known).values_list("year", flat=True))
            if unseen.intersection(years):
                raise ValidationError(STALE_CALL_MESSAGE)


STALE_CALL_MESSAGE = _(
    "This call was changed by someone else after you opened this page. Reload the page and make your change again."
)


class BaseCriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [
            f.cleaned_data.get("weight") or 0
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if weights and sum(weights) != 100:
            raise ValidationError(_("The weights sum to %(sum)d; they must sum to 100.") % {"sum": sum(weights)})


BudgetLineFormSet = inlineformset_factory(
    Call,
    CallBudgetLine,
    fields=["year", "amount", "funding_source"],
    formset=BaseBudgetLineFormSet,
    extra=3,
    max_num=3,
    can_delete=True,
)
CriterionFormSet = inlineformset_factory(
    Call,
    Criterion,
    fields=["name_ru", "name_kk", "weight"],
    formset=BaseCriterionFormSet,
    extra=1,
    can_delete=True,
)


class TargetForm(forms.ModelForm):
    """One target of a call: offered from the indicators of the call's service type and the general ones (every
    indicator, each named with its service, while a new call has no service type yet)."""

    class Meta:
        model = CallTarget
        fields = ["year", "indicator", "value"]

    def __init__(self, *args, service_type: ServiceType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        indicators = Indicator.objects.select_related("service_type")
        if service_type is not None:
            indicators = indicators.for_service(service_type)
        self.fields["indicator"].queryset = indicators


class BaseTargetFormSet(forms.BaseInlineFormSet):
    """The targets of a call. `call_form` is the call's own form: its service type (as submitted, or the saved one)
    decides which indicators may be targets; an indicator of another service is refused."""

    def __init__(self, *args, call_form=None, **kwargs):
        self.call_form = call_form
        super().__init__(*args, **kwargs)

    def service_type(self) -> ServiceType | None:
        if self.call_form is not None and self.call_form.is_bound:
            return self.call_form.cleaned_data.get("service_type") if self.call_form.is_valid() else None
        return self.instance.service_type if self.instance.service_type_id else None

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if not (self.call_form is not None and self.call_form.is_bound):
            kwargs["service_type"] = self.service_type()  # the offer; a POST is checked in clean()
        return kwargs

    def clean(self):
        super().clean()
        service_type = self.service_type()
        if service_type is None:
            return
        for form in self.forms:
            indicator = getattr(form, "cleaned_data", {}).get("indicator")
            if indicator is None or form.cleaned_data.get("DELETE"):
                continue
            if indicator.service_type_id not in (None, service_type.pk):
                form.add_error(
                    "indicator",
                    _(
                        "“%(indicator)s” measures another service: choose an indicator of “%(service)s” or a "
                        "general one."
                    )
                    % {"indicator": indicator.name, "service": service_type.name},
                )


TargetFormSet = inlineformset_factory(
    Call, CallTarget, form=TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True
)


class ExtendDeadlineForm(forms.Form):
    deadline = forms.DateTimeField(label=_("New deadline"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CommissionMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=get_user_model().objects.none())
    is_chair = forms.BooleanField(label=_("Chair"), required=False)

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(role__in=[Role.OFFICER, Role.EXPERT], is_active=True)
            .exclude(commissions__call=call)
            .order_by("last_name", "first_name")
        )


class SubstituteForm(forms.Form):
    """A substitute member seated while the commission scores (never the chair)."""

    substitute = forms.ModelChoiceField(label=_("Substitute member"), queryset=get_user_model().objects.none())

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = CommissionMemberForm(call=call).fields["user"].queryset


class BidForm(forms.ModelForm):
    class Meta:
        model = Bid
        fields = ["price", "proposal", "price_justification", "staff"]
        widgets = {
            "proposal": forms.Textarea(attrs={"rows": 6}),
            "price_justification": forms.Textarea(attrs={"rows": 3}),
            "staff": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, call: Call, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.call, self.provider = call, provider
        self.fields["staff"].queryset = provider.staff.current()
        self.fields["staff"].label_from_instance = lambda m: f"{m.full_name} — {m.get_position_display()}"

    def clean_price(self):
        price = self.cleaned_data["price"]
        total = self.call.total
        if price > total:
            raise ValidationError(
                _("The price cannot exceed the budget of %(total)s ₸.") % {"total": amount_text(total)}
            )
        return price

    def clean(self):
        data = super().clean()
        price = data.get("price")
        low = price is not None and price < self.call.total * ABNORMALLY_LOW_SHARE
        if low and not (data.get("price_justification") or "").strip():
            self.add_error(
                "price_justification",
                # xgettext:no-python-format
                _("The price is below 70% of the budget: explain how you can deliver for it."),
            )
        return data


CostItemFormSet = inlineformset_factory(Bid, BidCostItem, fields=["year", "item", "amount"], extra=3, can_delete=True)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("About"), choices=Complaint.Kind.choices)
    text = forms.CharField(label=_("Complaint"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("uphold")), ("0", _("reject"))],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label=_("Decision text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Conflict of interest"),
        choices=[("0", _("no conflict")), ("1", _("I have a conflict (recuse me)"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ScoreForm(forms.Form):
    """One integer 0–10 and a comment per criterion."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        for criterion in self.criteria:
            value, comment = initial_scores.get(criterion.pk, (None, ""))
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.weight}%)",
                min_value=0,
                max_value=10,
                required=False,
                initial=value,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                initial=comment,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def values(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
