import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Indicator, Region, Role, ServiceType
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
        if not self.instance.pk and deadline and deadline <= timezone.now():
            self.add_error("deadline", _("The deadline cannot be in the past."))
        region = data.get("region")
        if region and data.get("start_year") and not region.exists_in(data["start_year"]):
            self.add_error("start_year", _("The region did not exist in that year."))
        return data


class BaseBudgetLineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        years = [f.cleaned_data["year"] for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if len(years) != len(set(years)):
            raise ValidationError(_("Each year may have one budget line only."))


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
    class Meta:
        model = CallTarget
        fields = ["year", "indicator", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.select_related("service_type")


TargetFormSet = inlineformset_factory(Call, CallTarget, form=TargetForm, extra=2, can_delete=True)


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
            raise ValidationError(_("The price cannot exceed the budget of %(total)s ₸.") % {"total": f"{total:,.0f}"})
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
