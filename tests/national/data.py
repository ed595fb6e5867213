"""Hand-built national DECP files: several buyers and years, contracts published twice, anomalous
amounts, records the register skips, a 2019 file for older years."""

from pathlib import Path

from tests.contracts.files import (
    ENV_CLAUSE,
    NO_ENV,
    NO_SOCIAL,
    RESERVED,
    SOCIAL_CLAUSE,
    concession,
    marche,
    marche_2019,
    write_2019,
    write_2022,
)

DEPARTEMENT = "22540001600015"
OTHER_DEPARTEMENT = "22880001700013"
THIRD_DEPARTEMENT = "22570001900018"
COMMUNE = "21540395800010"
UNKNOWN_KIND = "30000000000018"  # no legal unit in SIRENE: "other"


def national_2022(tmp_path: Path) -> Path:
    """Every case the counts must handle, over three buyers of one kind, a commune and an unknown."""
    marches = [
        # the Département: 2025, one social and environmental, one reserved, one without, one unknown
        marche("D1", buyer=DEPARTEMENT, social=[SOCIAL_CLAUSE], environmental=[ENV_CLAUSE]),
        marche("D2", buyer=DEPARTEMENT, social=[RESERVED], environmental=[NO_ENV], amount=2_000_000_000),
        marche("D3", buyer=DEPARTEMENT, social=[NO_SOCIAL], environmental=[NO_ENV], amount=0.5),
        marche("D4", buyer=DEPARTEMENT, social=None, environmental=None, amount=None),
        # D1 published again later, changed: the later publication is the one counted
        marche(
            "D1",
            buyer=DEPARTEMENT,
            social=[NO_SOCIAL],
            environmental=[ENV_CLAUSE],
            amount=150000,
            published="2025-04-01",
        ),
        # D2 published again with an earlier date: the first one read stays
        marche("D2", buyer=DEPARTEMENT, social=[NO_SOCIAL], environmental=[NO_ENV], published="2025-01-01"),
        marche(
            "D5", buyer=DEPARTEMENT, notified="2024-05-02", social=[SOCIAL_CLAUSE], published="2024-05-10"
        ),
        marche("BAD", buyer=DEPARTEMENT, notified=None),  # no date: skipped, as the register does
        marche("O1", buyer=OTHER_DEPARTEMENT, social=[SOCIAL_CLAUSE], environmental=[ENV_CLAUSE]),
        marche("O2", buyer=OTHER_DEPARTEMENT, social=[SOCIAL_CLAUSE], environmental=[NO_ENV]),
        marche("T1", buyer=THIRD_DEPARTEMENT, social=[NO_SOCIAL], environmental=[NO_ENV]),
        marche("C1", buyer=COMMUNE, social=[SOCIAL_CLAUSE], environmental=[ENV_CLAUSE]),
        marche("U1", buyer=UNKNOWN_KIND, social=[NO_SOCIAL], environmental=[ENV_CLAUSE]),
        marche("X1", buyer="123"),  # not a SIRET: no buyer the register could keep
    ]
    concessions = [
        concession("K1", authority=DEPARTEMENT, social=[SOCIAL_CLAUSE], environmental=[NO_ENV], value=300000),
    ]
    return write_2022(tmp_path / "decp-national.json", marches, concessions)


def national_2019(tmp_path: Path) -> Path:
    """Older years: no considerations (unknown), one contract published twice."""
    return write_2019(
        tmp_path / "decp-2019.json",
        [
            marche_2019("A19", buyer=DEPARTEMENT),
            marche_2019("A19", buyer=DEPARTEMENT, amount=90000, published="2019-10-30"),
            marche_2019("B19", buyer=COMMUNE, notified="2020-02-03", published="2020-02-10"),
        ],
    )
