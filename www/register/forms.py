"""SCP's correction of a contract: each consideration flag as published or set, or the contract
excluded, with the reason (services.contract_correct applies it)."""

from django import forms

from contracts import rules
from contracts.enums import CorrectionChoice
from contracts.models import ContractCorrection
from contracts.selectors import FLAG_LABELS

TO_CHOICE = {None: CorrectionChoice.PUBLISHED, True: CorrectionChoice.YES, False: CorrectionChoice.NO}
FROM_CHOICE = {value: key for key, value in TO_CHOICE.items()}


class CorrectionForm(forms.Form):
    excluded = forms.BooleanField(
        label="Exclure ce contrat de tous les indicateurs (doublon, erreur de publication)", required=False
    )
    reason = forms.CharField(
        label="Motif de la correction",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Obligatoire : il reste dans l'historique du contrat (par exemple « le CCAP prévoit une "
        "clause d'insertion, article 12 », « doublon du lot 2 »).",
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, correction: ContractCorrection | None = None, **kwargs):
        initial = {"excluded": False, "reason": "", "seen_version": None}
        if correction is not None:
            initial = {
                "excluded": correction.excluded,
                "reason": correction.reason,
                "seen_version": correction.version,
                **{flag: TO_CHOICE[getattr(correction, flag)] for flag in rules.FLAGS},
            }
        super().__init__(*args, initial=initial, **kwargs)
        for flag in rules.FLAGS:
            self.fields[flag] = forms.ChoiceField(
                label=FLAG_LABELS[flag],
                choices=CorrectionChoice.choices,
                required=False,
                widget=forms.RadioSelect,
            )
        self.order_fields([*rules.FLAGS, "excluded", "reason", "seen_version"])

    def service_arguments(self) -> dict:
        """What services.contract_correct takes from the form."""
        data = self.cleaned_data
        return {
            "flags": {flag: FROM_CHOICE[CorrectionChoice(data.get(flag) or "")] for flag in rules.FLAGS},
            "excluded": data["excluded"],
            "reason": data["reason"],
            "seen_version": data.get("seen_version"),
        }
