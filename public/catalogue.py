"""The open data catalogue in DCAT-AP (JSON-LD), for data.gouv.fr's DCAT harvester and others.

One dataset per public plan, one distribution per file of its open data (public/open_data.py), each
with its licence and the schema it conforms to. Titles and descriptions are read from the committed
schemas, as on the data page.
"""

import datetime

from django.urls import reverse

from .open_data import FILES, LICENCE
from .selectors import PlanMeta

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FRENCH = {"@id": "http://publications.europa.eu/resource/authority/language/FRA"}
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
ANNUAL = {"@id": "http://purl.org/cld/freq/annual"}
KEYWORDS = ["SPASER", "achats responsables", "commande publique", "achat public durable", "clauses sociales"]


def _date_time(value: datetime.datetime | None) -> dict | None:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"} if value else None


def _distribution(meta: PlanMeta, file, origin: str) -> dict:
    url = origin + reverse("public:data_file", args=[meta.plan.slug, file.name])
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": file.name,
        "dct:description": f"{file.title}. {file.description}",
        "dcat:downloadURL": {"@id": url},
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{file.media_type}"},
        "dct:format": {"@id": FILE_TYPES + file.format},
        "dct:license": {"@id": LICENCE["url"]},
        "dct:conformsTo": {"@id": origin + reverse("public:schema", args=[file.schema_name])},
        "dct:modified": _date_time(meta.updated_at),
    }


def _dataset(meta: PlanMeta, origin: str) -> dict:
    plan = meta.plan
    description = (
        f"{plan.title} ({plan.start_year}-{plan.end_year}), {plan.buyer} : les fiches-actions, leurs "
        "directions pilotes, leur calendrier, leurs indicateurs et cibles, et les valeurs des années "
        "validées par le service commande publique."
    )
    if meta.is_demo:
        description += " ATTENTION : ces données contiennent des valeurs de démonstration, fictives."
    dataset = {
        "@id": origin + reverse("public:data", args=[plan.slug]),
        "@type": "dcat:Dataset",
        "dct:identifier": plan.slug,
        "dct:title": f"Suivi du {plan.short_title} {plan.start_year}-{plan.end_year}",
        "dct:description": description,
        "dcat:keyword": KEYWORDS,
        "dct:language": FRENCH,
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": plan.buyer},
        "dct:issued": _date_time(meta.published_at),
        "dct:modified": _date_time(meta.updated_at),
        "dct:accrualPeriodicity": ANNUAL,
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": f"{plan.start_year}-01-01", "@type": "xsd:date"},
            "dcat:endDate": {"@value": f"{plan.end_year}-12-31", "@type": "xsd:date"},
        },
        "dct:license": {"@id": LICENCE["url"]},
        "dcat:landingPage": {"@id": origin + reverse("public:plan", args=[plan.slug])},
        "dcat:distribution": [_distribution(meta, file, origin) for file in FILES],
    }
    return {key: value for key, value in dataset.items() if value is not None}


def catalogue(*, metas: list[PlanMeta], origin: str) -> dict:
    """The catalogue of every public plan's open data."""
    modified = max((meta.updated_at for meta in metas), default=None)
    document = {
        "@context": CONTEXT,
        "@id": origin + reverse("public:catalogue"),
        "@type": "dcat:Catalog",
        "dct:title": "Données ouvertes des SPASER publiés",
        "dct:description": "Schémas de promotion des achats publics socialement et écologiquement "
        "responsables (SPASER) et leur suivi annuel, en données ouvertes sous Licence Ouverte 2.0.",
        "dct:language": FRENCH,
        "foaf:homepage": {"@id": origin + reverse("public:index")},
        "dct:license": {"@id": LICENCE["url"]},
        "dct:modified": _date_time(modified),
        "dcat:dataset": [_dataset(meta, origin) for meta in metas],
    }
    return {key: value for key, value in document.items() if value is not None}
