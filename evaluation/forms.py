from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import Indicator, Role
from evaluation.models import CRITERIA, MIN_EVALUATORS, ResultEvaluation


class OpenEvaluationForm(forms.Form):
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least three experts or officers; each declares no conflict with the provider before scoring."),
    )

    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=ResultEvaluation.Stage.choices,
        initial=ResultEvaluation.Stage.PRELIMINARY,
        required=False,  # preliminary unless chosen
        widget=forms.RadioSelect,
        help_text=_(
            "Preliminary: after the year's annual report. Final: after the contract's last year, over the whole "
            "project."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["stage", "evaluators"])
        self.fields["evaluators"].queryset = (
            get_user_model()
            .objects.filter(role__in=[Role.EXPERT, Role.OFFICER], is_active=True)
            .order_by("role", "last_name")
        )
        self.fields["evaluators"].label_from_instance = lambda u: f"{u} — {u.get_role_display()}"

    def clean_stage(self):
        return self.cleaned_data.get("stage") or ResultEvaluation.Stage.PRELIMINARY

    def clean_evaluators(self):
        chosen = self.cleaned_data["evaluators"]
        if len(chosen) < MIN_EVALUATORS:
            raise ValidationError(_("Choose at least %(n)d evaluators.") % {"n": MIN_EVALUATORS})
        return chosen


class EvaluationScoreForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CRITERIA:
            self.fields[f"score_{code}"] = forms.TypedChoiceField(
                label=label, choices=[(str(i), str(i)) for i in range(6)], coerce=int, widget=forms.RadioSelect
            )
        self.order_fields([f"score_{code}" for code, _label in CRITERIA] + ["comment"])

    def values(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"score_{code}"] for code, _label in CRITERIA}


class CouncilConclusionForm(forms.Form):
    """The council's conclusion on each criterion (positive or negative, with a comment), recorded on concluding."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CRITERIA:
            self.fields[f"conclusion_{code}"] = forms.ChoiceField(
                label=label,
                choices=[("positive", _("positive")), ("negative", _("negative"))],
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1})
            )

    def conclusions(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {code: (data[f"conclusion_{code}"] == "positive", data[f"comment_{code}"]) for code, _l in CRITERIA}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "service_type", "kind", "unit", "direction", "name_ru", "name_kk", "name_en"]
