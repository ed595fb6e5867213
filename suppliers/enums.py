from django.db import models


class SupplierCategory(models.TextChoices):
    """The categories of the holders a contract went to (the keys of `legal_indicators`)."""

    PME = "pme", "PME (catégorie INSEE)"
    TPE = "tpe", "TPE (moins de 10 salariés)"
    ESS = "ess", "Économie sociale et solidaire"
    SIAE = "siae", "Structures d'insertion (SIAE)"
    EA_ESAT = "ea_esat", "Entreprises adaptées et ESAT"
    GEIQ = "geiq", "GEIQ"
    LOCAL = "local", "Entreprises locales"
    UNIDENTIFIED = "unidentified", "Titulaires non identifiés"


class InclusionKind(models.TextChoices):
    """The inclusion lists, each imported from its own source."""

    SIAE = "siae", "Structure d'insertion par l'activité économique (SIAE)"
    EA_ESAT = "ea_esat", "Entreprise adaptée ou ESAT"
    GEIQ = "geiq", "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)"


class InclusionSubkind(models.TextChoices):
    EI = "EI", "Entreprise d'insertion"
    AI = "AI", "Association intermédiaire"
    ACI = "ACI", "Atelier et chantier d'insertion"
    ETTI = "ETTI", "Entreprise de travail temporaire d'insertion"
    EITI = "EITI", "Entreprise d'insertion par le travail indépendant"
    EA = "EA", "Entreprise adaptée"
    EATT = "EATT", "Entreprise adaptée de travail temporaire"
    ESAT = "ESAT", "Établissement et service d'accompagnement par le travail"
    GEIQ = "GEIQ", "GEIQ"


class SourceKind(models.TextChoices):
    SIRENE = "sirene", "SIRENE – unités légales et établissements"
    SIRENE_UNITS = "sirene_ul", "SIRENE – unités légales (StockUniteLegale)"
    SIRENE_ESTABLISHMENTS = "sirene_etab", "SIRENE – établissements (StockEtablissement)"
    SIAE = "siae", "Liste des SIAE (marché de l'inclusion)"
    EA_ESAT = "ea_esat", "Liste des EA et ESAT (FINESS / open data)"
    GEIQ = "geiq", "Liste des GEIQ"


class BuyerKind(models.TextChoices):
    """A buyer's kind, from its legal category in SIRENE (categorieJuridiqueUniteLegale)."""

    DEPARTEMENT = "departement", "Départements"
    REGION = "region", "Régions"
    COMMUNE = "commune", "Communes"
    EPCI = "epci", "EPCI à fiscalité propre"
    OTHER = "autre", "Autres acheteurs"
