"""The demo data set's companies and national sample (fixtures/demo): a fictitious SIRENE extract,
fictitious inclusion lists and a fictitious national DECP sample, each import flagged demo.

Idempotent: SIRENE rows are upserted, an inclusion list replaces its kind's listings, and the national
sample is computed once (a demo dataset already there is kept). The national sample is read first:
the SIRENE import keeps its buyers' legal units (their kind), as it keeps the register's holders.
SCP publishes the comparison on the public site from the admin, as with real data.
"""

from pathlib import Path

from national.models import NationalDataset
from national.services import national_compute
from suppliers.services import inclusion_apply, sirene_apply


def demo_suppliers(data: dict, folder: Path) -> None:
    national = data.get("national")
    if national and not NationalDataset.objects.filter(is_demo=True).exists():
        national_compute(
            paths=[str(folder / national["file"])],
            label=national["label"],
            source_date=national["date"],
            is_demo=True,
        )
    suppliers = data.get("suppliers")
    if not suppliers:
        return
    sirene_apply(
        paths=[str(folder / name) for name in suppliers["sirene"]],
        source_date=suppliers["date"],
        is_demo=True,
    )
    for listing in suppliers.get("inclusion", []):
        inclusion_apply(
            kind=listing["kind"],
            path=str(folder / listing["file"]),
            source=listing["source"],
            source_date=suppliers["date"],
            is_demo=True,
        )
