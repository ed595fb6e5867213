"""The register list's filters, read from the query string (GET: a filtered list is a link to share)."""

from django import forms

from contracts.enums import Category, Duty
from contracts.selectors import ContractFilters
from suppliers.enums import SupplierCategory


class ContractFilterForm(forms.Form):
    categorie = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes")] + list(Category.choices)
    )
    annee = forms.IntegerField(
        label="Année de notification", required=False, min_value=1990, max_value=2100, widget=forms.Select
    )
    cpv = forms.RegexField(label="Division CPV", required=False, regex=r"^[0-9]{2}$", widget=forms.Select)
    q = forms.CharField(
        label="Recherche (objet, identifiant, SIRET du titulaire)", required=False, max_length=100
    )
    env = forms.BooleanField(
        label="Sans considération environnementale, notifiés depuis le 21 août 2026", required=False
    )
    obligation = forms.ChoiceField(
        label="Obligations depuis le 21 août 2026 (à vérifier)",
        required=False,
        choices=[("", "—")] + list(Duty.choices),
    )
    anomalie = forms.BooleanField(label="Montant anormal (compté en nombre, pas en valeur)", required=False)
    corrige = forms.BooleanField(label="Corrigés par le service commande publique", required=False)
    exclu = forms.BooleanField(label="Exclus des indicateurs", required=False)
    titulaires = forms.ChoiceField(
        label="Titulaires", required=False, choices=[("", "Tous")] + list(SupplierCategory.choices)
    )

    def set_choices(self, *, years: list[int], divisions: list[tuple[str, str]]) -> None:
        """The years and CPV divisions found in the register (known only once the register is read),
        and the one asked for even if no contract has it (the select then shows what is filtered)."""
        data = getattr(self, "cleaned_data", {})
        if data.get("annee") and data["annee"] not in years:
            years = sorted([*years, data["annee"]], reverse=True)
        if data.get("cpv") and data["cpv"] not in dict(divisions):
            divisions = sorted([*divisions, (data["cpv"], data["cpv"])])
        self.fields["annee"].widget.choices = [("", "Toutes")] + [(year, year) for year in years]
        self.fields["cpv"].widget.choices = [("", "Toutes")] + divisions

    def filters(self) -> ContractFilters:
        """The filters that were valid (a value that is not one is ignored, and said so by the form)."""
        self.is_valid()
        data = self.cleaned_data
        return ContractFilters(
            category=data.get("categorie") or "",
            year=data.get("annee"),
            division=data.get("cpv") or "",
            search=data.get("q") or "",
            missing_environmental=bool(data.get("env")),
            duty=data.get("obligation") or "",
            anomaly=bool(data.get("anomalie")),
            corrected=bool(data.get("corrige")),
            excluded=bool(data.get("exclu")),
            holders=data.get("titulaires") or "",
        )
