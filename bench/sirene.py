"""The SIRENE import's benchmark: a StockEtablissement of national size, filtered to the register's
holders.

`python -m bench --only sirene` (or the whole `python -m bench`):
1. writes a StockEtablissement CSV in INSEE's layout (its real header, 30,000,000 rows by default,
   sorted by SIREN, about 1.5 establishments per company, a few quoted fields), in blocks of lines
   built from a template;
2. makes 20,000 of its SIRETs wanted (suppliers.wanted: here, as buyers of a plan);
3. in a fresh process each: a bare scan (`csv.reader` over the file, rows counted, nothing else) and
   `manage.py sirene_import` of it: wall time and peak memory of each (the child's own ru_maxrss).
   The import must take at most twice the bare scan, under 500 MB, and keep the 20,000.

BENCH_SIRENE_ROWS (or `--sirene-rows`) sets fewer rows. `python -m bench.sirene scan FILE` is the
bare scan; `python -m bench.sirene generate FILE ROWS` writes the stock; `python -m bench.sirene
setup FILE` (Django settings in the environment) makes the holders listed in FILE wanted.
"""

import csv
import json
import re
import sys
import time
from pathlib import Path

from bench.decp import child

MEMORY_LIMIT_MB = 500
SCAN_RATIO_LIMIT = 2.0  # the import at most twice the bare csv scan of the same file
HOLDERS = 20_000
BLOCK = 100_000  # rows built and written at a time
FIRST_SIREN = 300_000_000
COMMUNES = [
    ("54395", "54000", "NANCY"),
    ("57463", "57000", "METZ"),
    ("75056", "75011", "PARIS"),
    ("2A004", "20000", "AJACCIO"),
    ("97411", "97400", "SAINT-DENIS"),
    ("69123", "69003", "LYON"),
    ("", "", ""),  # abroad
]


def _template() -> str:
    """One StockEtablissement row with placeholders, its fields in the real header's order."""
    from suppliers.sirene import ESTABLISHMENT_COLUMNS

    values = dict.fromkeys(ESTABLISHMENT_COLUMNS, "")
    values.update(
        siren="%(siren)s",
        nic="%(nic)s",
        siret="%(siren)s%(nic)s",
        statutDiffusionEtablissement="O",
        dateCreationEtablissement="2005-03-14",
        trancheEffectifsEtablissement="%(band)s",
        anneeEffectifsEtablissement="2023",
        dateDernierTraitementEtablissement="2024-03-22T14:26:06",
        etablissementSiege="%(head)s",
        nombrePeriodesEtablissement="2",
        numeroVoieEtablissement="12",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="%(street)s",
        codePostalEtablissement="%(postal)s",
        libelleCommuneEtablissement="%(city)s",
        codeCommuneEtablissement="%(commune)s",
        identifiantAdresseEtablissement="%(commune)s_0420_00012",
        coordonneeLambertAbscisseEtablissement="933512.4",
        coordonneeLambertOrdonneeEtablissement="6847310.8",
        dateDebut="2015-01-01",
        etatAdministratifEtablissement="%(state)s",
        activitePrincipaleEtablissement="43.21A",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2",
        caractereEmployeurEtablissement="N",
    )
    return ",".join(values.values()) + "\n"


def row_identity(number: int) -> tuple[str, str]:
    """(SIREN, NIC) of the file's row `number`: three rows per two companies, sorted by SIREN."""
    pair, rest = divmod(number, 3)
    siren = FIRST_SIREN + pair * 2 + (1 if rest == 2 else 0)
    return f"{siren:09d}", "00029" if rest == 1 else "00011"


def holder_rows(rows: int, holders: int = HOLDERS) -> list[int]:
    step = max(rows // holders, 1)
    return list(range(step // 2, rows, step))[:holders]


def generate(path: Path, *, rows: int) -> dict:
    """Write the stock; returns its size and the time taken."""
    from suppliers.sirene import ESTABLISHMENT_COLUMNS

    started = time.perf_counter()
    template = _template()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(ESTABLISHMENT_COLUMNS) + "\n")
        for start in range(0, rows, BLOCK):
            lines = []
            for number in range(start, min(start + BLOCK, rows)):
                siren, nic = row_identity(number)
                commune, postal, city = COMMUNES[number % len(COMMUNES)]
                lines.append(
                    template
                    % {
                        "siren": siren,
                        "nic": nic,
                        "band": "03" if number % 4 else "NN",
                        "head": "true" if nic == "00011" else "false",
                        "street": '"DE LA GARE, BATIMENT B"' if number % 50 == 0 else "DE LA GARE",
                        "postal": postal,
                        "city": city,
                        "commune": commune,
                        "state": "F" if number % 9 == 0 else "A",
                    }
                )
            handle.write("".join(lines))
    return {"rows": rows, "bytes": path.stat().st_size, "seconds": time.perf_counter() - started}


def scan(path: str) -> dict:
    """Every row of the file parsed by csv.reader and counted: the floor of a CSV reader."""
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return {"rows": count, "seconds": time.perf_counter() - started}


def setup(holders_path: str) -> dict:
    """A plan whose buyers are the holders (suppliers.wanted reads the buyers)."""
    import django

    django.setup()
    from django.conf import settings

    from actions.loading import plan_load
    from actions.models import Buyer

    plan = plan_load(directory=Path(settings.BASE_DIR) / "fixtures" / "spaser54").plan
    sirets = Path(holders_path).read_text(encoding="ascii").split()
    Buyer.objects.bulk_create(
        [Buyer(plan=plan, siret=siret, name=f"Titulaire {siret}") for siret in sirets], batch_size=2000
    )
    return {"holders": len(sirets)}


def measure(*, env: dict, root: Path, workdir: Path, rows: int, manage) -> dict:
    """The whole measurement (see the module's docstring), on the benchmark's database in `env`."""
    manage(env, "migrate", "--noinput")
    holders = workdir / "holders.txt"
    holders.write_text("\n".join("".join(row_identity(n)) for n in holder_rows(rows)), encoding="ascii")
    child([sys.executable, "-m", "bench.sirene", "setup", str(holders)], env, root)
    path = workdir / "StockEtablissement_utf8_2025-11-01.csv"
    print(f"   écriture d'un StockEtablissement de {rows} lignes…", file=sys.stderr)
    # Written by a child: this process stays small, and so does what its children's ru_maxrss inherit.
    written = json.loads(
        child([sys.executable, "-m", "bench.sirene", "generate", str(path), str(rows)], env, root)["stdout"]
    )
    print(
        f"   {written['bytes'] / 1e9:.1f} Go en {written['seconds']:.0f} s ; lecture seule (csv)…",
        file=sys.stderr,
    )
    bare = child([sys.executable, "-m", "bench.sirene", "scan", str(path)], env, root)
    bare.update(json.loads(bare.pop("stdout")))
    print(f"   lecture seule {bare['seconds']:.1f} s ; import (sirene_import)…", file=sys.stderr)
    imported = child([sys.executable, "manage.py", "sirene_import", str(path)], env, root)
    imported["summary"] = imported.pop("stdout").strip().splitlines()[-1]
    kept = re.search(r"(\d+) retenues?", imported["summary"])
    imported["kept"] = int(kept[1]) if kept else None
    path.unlink()
    return {"file": written, "holders": len(holder_rows(rows)), "scan": bare, "import": imported}


def print_report(result: dict | None, table) -> list[str]:
    """The SIRENE import's table; the targets missed, in French."""
    if not result:
        return []
    written, bare, imported = result["file"], result["scan"], result["import"]
    print(
        f"\nSIRENE : import d'un StockEtablissement de {written['rows']} lignes "
        f"({written['bytes'] / 1e9:.1f} Go), filtré sur {result['holders']} titulaires, processus neuf chacun"
    )
    rows = [
        ["lecture seule (csv.reader, comptage)", f"{bare['seconds']:.1f}", f"{bare['cpu_s']:.1f}"],
        ["sirene_import", f"{imported['seconds']:.1f}", f"{imported['cpu_s']:.1f}"],
    ]
    for row, run in zip(rows, (bare, imported), strict=True):
        row += [f"{written['rows'] / run['seconds']:.0f}", f"{run['peak_rss_mb']:.0f}"]
    print(table(rows, ["étape", "durée s", "CPU s", "lignes/s", "mémoire max Mo"]))
    print(f"Import : {imported['summary']}")
    ratio = imported["seconds"] / bare["seconds"]
    print(f"Import / lecture seule : {ratio:.2f} (objectif ≤ {SCAN_RATIO_LIMIT:.0f}, < {MEMORY_LIMIT_MB} Mo)")
    failures = []
    if imported["peak_rss_mb"] >= MEMORY_LIMIT_MB:
        failures.append(
            f"import SIRENE : mémoire maximale {imported['peak_rss_mb']:.0f} Mo ≥ {MEMORY_LIMIT_MB} Mo"
        )
    if ratio > SCAN_RATIO_LIMIT:
        failures.append(
            f"import SIRENE : {ratio:.2f} fois la lecture seule par csv (> {SCAN_RATIO_LIMIT:.0f})"
        )
    if imported["kept"] != result["holders"]:
        failures.append(
            f"import SIRENE : {imported['kept']} établissements retenus, {result['holders']} attendus"
        )
    return failures


if __name__ == "__main__":
    if sys.argv[1:2] == ["scan"]:
        print(json.dumps(scan(sys.argv[2])))
    elif sys.argv[1:2] == ["generate"]:
        print(json.dumps(generate(Path(sys.argv[2]), rows=int(sys.argv[3]))))
    elif sys.argv[1:2] == ["setup"]:
        print(json.dumps(setup(sys.argv[2])))
