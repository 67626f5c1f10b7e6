from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.forms import BaseInlineFormSet, formset_factory, inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.models import Amendment, Contract, Payment, Report, ReportExpense, Tranche, TrancheBalance
from core.models import Indicator
from core.templatetags.gsz import money, num
from core.util import today
from core.validators import validate_single_line

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class PrepareContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=40, validators=[validate_single_line])
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    end_date = forms.DateField(label=_("End"), widget=DATE)
    scope = forms.CharField(label=_("Scope of services"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if Contract.objects.filter(number=number).exists():
            raise ValidationError(_("A contract with this number exists."))
        return number

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date must not be before the start."))
        return data


class TrancheForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), widget=forms.NumberInput(attrs={"readonly": True}))
    amount = forms.DecimalField(label=_("Amount, ₸"), **MONEY)
    planned_date = forms.DateField(label=_("Planned disbursement"), widget=DATE)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=Tranche.Source.choices)


TrancheFormSet = formset_factory(TrancheForm, extra=0)


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), widget=forms.NumberInput(attrs={"readonly": True}))
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.all())
    value = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2, min_value=0)


TargetFormSet = formset_factory(TargetForm, extra=0, can_delete=True)


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["tranche", "kind", "date", "amount"]
        widgets = {"date": DATE}

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].queryset = contract.tranches.all()
        self.fields["tranche"].label_from_instance = lambda t: str(t.year)
        if not contract.call.outcome_share:
            self.fields["kind"].choices = [(Payment.Kind.FIXED, Payment.Kind.FIXED.label)]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > today():
            raise ValidationError(_("A payment cannot be dated in the future."))
        return date


class AmendmentReasonForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=Amendment.Reason.choices)
    reason_text = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class AmountAmendmentForm(AmendmentReasonForm):
    effective_date = forms.DateField(label=_("Effective from"), widget=DATE, initial=today)

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = []
        for tranche in contract.tranches.all():
            self.years.append(tranche.year)
            self.fields[f"amount_{tranche.year}"] = forms.DecimalField(
                label=_("Tranche %(year)d, ₸") % {"year": tranche.year}, initial=tranche.amount, **MONEY
            )
        self.order_fields([f"amount_{y}" for y in self.years] + ["effective_date", "reason_code", "reason_text"])

    def amounts(self):
        return {year: self.cleaned_data[f"amount_{year}"] for year in self.years}


class EndDateAmendmentForm(AmendmentReasonForm):
    end_date = forms.DateField(label=_("New end date"), widget=DATE)
    field_order = ["end_date", "reason_code", "reason_text"]


class ScopeAmendmentForm(AmendmentReasonForm):
    scope = forms.CharField(label=_("New scope"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["scope", "reason_code", "reason_text"]


class TerminationForm(AmendmentReasonForm):
    on = forms.DateField(
        label=_("Terminated on"), widget=DATE, help_text=_("The contract stops serving on this date.")
    )
    field_order = ["on", "reason_code", "reason_text"]


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["narrative", "children_served", "families_served"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, indicators=(), actuals=None, targets=None, **kwargs):
        """`targets`: {indicator id: the contract's target for the period's year}, shown beside each field."""
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        actuals = actuals or {}
        targets = targets or {}
        for indicator in self.indicators:
            label = f"{indicator.name} ({indicator.get_unit_display()})"
            target = targets.get(indicator.pk)
            field = forms.DecimalField(
                label=label,
                max_digits=12,
                decimal_places=2,
                min_value=0,
                required=False,
                initial=actuals.get(indicator.pk),
                help_text=target_text(target),
            )
            if indicator.unit == Indicator.Unit.PERCENT:
                field.validators.append(MaxValueValidator(100))
                field.widget.attrs["max"] = 100
            self.fields[f"actual_{indicator.pk}"] = field

    def actual_values(self):
        return {
            i.pk: self.cleaned_data[f"actual_{i.pk}"]
            for i in self.indicators
            if self.cleaned_data.get(f"actual_{i.pk}") is not None
        }


def target_text(target: Decimal | None) -> str:
    """Return "Target: 70" for the help text of an actual's field (empty without a target)."""
    if target is None:
        return ""
    places = 0 if target == target.to_integral_value() else 2
    return gettext("Target: %(value)s") % {"value": num(target, places)}


class BaseExpenseFormSet(BaseInlineFormSet):
    """A report's expenditure by cost item, checked against the tranche of the period's year: a total above the
    tranche is refused; above what the year's other reports left of it, saved with a warning (`over_balance`)."""

    def __init__(self, *args, balance: TrancheBalance | None = None, **kwargs):
        self.balance = balance
        super().__init__(*args, **kwargs)

    def total(self) -> Decimal:
        """Return the sum of the kept rows (valid forms only)."""
        return sum(
            (
                form.cleaned_data["amount"]
                for form in self.forms
                if getattr(form, "cleaned_data", None)
                and form.cleaned_data.get("amount") is not None
                and not form.cleaned_data.get("DELETE")
            ),
            Decimal(0),
        )

    def clean(self):
        super().clean()
        if self.balance is not None and self.total() > self.balance.tranche.amount:
            raise ValidationError(
                gettext("Expenses of %(total)s exceed the tranche of %(tranche)s for %(year)s.")
                % {
                    "total": money(self.total()),
                    "tranche": money(self.balance.tranche.amount),
                    "year": self.balance.tranche.year,
                }
            )

    @property
    def over_balance(self) -> bool:
        """Return whether the (valid) total exceeds the year's unspent balance after the other reports."""
        return self.balance is not None and self.total() > self.balance.balance


ExpenseFormSet = inlineformset_factory(
    Report, ReportExpense, formset=BaseExpenseFormSet, fields=["item", "amount"], extra=3, can_delete=True
)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must be corrected"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
