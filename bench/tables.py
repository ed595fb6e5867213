"""The benchmark's tables: each measure printed, checked against its target (a missed target is
returned as a French line for the final list)."""

P95_LIMIT_MS = 100
SECOND_PDF_LIMIT_MS = 50
SCHEMA_PDF_MEMORY_LIMIT_MB = 300  # as the bilan's PDF at 1x


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def print_plan(report: dict, sizes: list[int]) -> list[str]:
    failures = []
    print("\nTemps serveur en ms (médiane / 95e centile), requêtes SQL par page\n")
    for size in sizes:
        data = report["sizes"][size]["data"]
        print(
            f"Taille {size}x : {data['fiches']} fiches, {data['indicators']} indicateurs, "
            f"{data['values']} valeurs sur {len(data['years'])} ans"
        )
    rows = []
    by_size = {size: {p["name"]: p for p in report["sizes"][size]["pages"]} for size in sizes}
    first = sizes[0]
    for name, page in by_size[first].items():
        row = [name]
        for size in sizes:
            p = by_size[size][name]
            row += [p["queries"], f"{p['median_ms']:.1f}", f"{p['p95_ms']:.1f}"]
            if p["queries"] != page["queries"]:
                failures.append(f"{name}: {page['queries']} requêtes à {first}x, {p['queries']} à {size}x")
        limit = page.get("limit_ms", P95_LIMIT_MS)
        if first == 1 and page["gate"] and page["p95_ms"] >= limit:
            failures.append(f"{name}: 95e centile {page['p95_ms']:.1f} ms ≥ {limit:.0f} ms à 1x")
        rows.append(row + ([f"< {limit:.0f} ms" if page["gate"] else "non (référence)"]))
    headers = ["Page"] + [h for size in sizes for h in (f"req. {size}x", f"méd. {size}x", f"p95 {size}x")]
    headers.append("objectif p95 (1x)")
    print("\n" + table(rows, headers))
    for size in sizes:
        FICHE_PAGE, ADMIN_PAGE = report["sizes"][size]["ratio_pair"]
        fiche, admin = by_size[size][FICHE_PAGE], by_size[size][ADMIN_PAGE]
        ratio = fiche["median_ms"] / admin["median_ms"]
        print(
            f"\nPage de la fiche / page de modification dans l'admin ({size}x) : {ratio:.2f} "
            f"(médianes {fiche['median_ms']:.1f} / {admin['median_ms']:.1f} ms, "
            f"p95 {fiche['p95_ms']:.1f} / {admin['p95_ms']:.1f} ms)"
        )
        if size == 1 and ratio >= 1:
            failures.append(f"la page de la fiche n'est pas plus rapide que l'admin ({ratio:.2f})")
    failures += print_two_plans(report["sizes"][first])
    failures += print_pdf_and_import(report, sizes)
    failures += print_pdf_downloads(report, sizes)
    failures += print_schema(report, sizes)
    failures += print_throughput(report["throughput"])
    failures += print_load(report["load"])
    return failures


def print_two_plans(measured: dict) -> list[str]:
    """Every page of the first plan keeps its query count once the next plan is loaded and in force."""
    if "pages_two_plans" not in measured:
        return []
    nxt = measured["next_plan"]
    print(
        f"\nDeux plans chargés (plan suivant préparé en {nxt['prepare_s']:.1f} s, {nxt['fiches']} fiches "
        "reconduites, mis en vigueur) : requêtes SQL par page du premier plan"
    )
    after = {page["name"]: page["queries"] for page in measured["pages_two_plans"]}
    rows, failures = [], []
    for page in measured["pages"]:
        two = after.get(page["name"])
        rows.append([page["name"], page["queries"], two, "oui" if two == page["queries"] else "NON"])
        if two != page["queries"]:
            failures.append(f"{page['name']}: {page['queries']} requêtes avec un plan, {two} avec deux")
    print(table(rows, ["Page", "un plan", "deux plans", "inchangé"]))
    return failures


def print_pdf_and_import(report: dict, sizes: list[int]) -> list[str]:
    failures = []
    print("\nBilan PDF (rendu complet, processus neuf) et import Excel des valeurs (aperçu puis import)")
    extra_rows = []
    for size in sizes:
        pdf, imp = report["sizes"][size]["pdf"], report["sizes"][size]["import"]
        extra_rows.append(
            [
                f"{size}x",
                f"{pdf['wall_s']:.2f}",
                f"{pdf['cpu_s']:.2f}",
                f"{pdf['peak_rss_mb']:.0f}",
                f"{pdf['bytes'] // 1024}",
                imp["values"],
                f"{imp['preview_s']:.2f}",
                f"{imp['import_s']:.2f}",
                imp["written"],
            ]
        )
        if imp["errors"] or imp["written"] != imp["values"] or imp["stored_after"] != imp["values"]:
            written = f"{imp['written']}/{imp['values']}"
            failures.append(f"import {size}x : {written} valeurs écrites {imp['errors']}")
        if size == 1 and pdf["peak_rss_mb"] >= 300:
            failures.append(f"PDF 1x : mémoire maximale {pdf['peak_rss_mb']:.0f} Mo ≥ 300 Mo")
    print(
        table(
            extra_rows,
            [
                "taille",
                "PDF s",
                "PDF s CPU",
                "mémoire max Mo",
                "PDF Ko",
                "valeurs",
                "aperçu s",
                "import s",
                "écrites",
            ],
        )
    )
    return failures


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def print_load(load: dict | None) -> list[str]:
    if not load:
        return []
    print(
        f"\nTest de charge : gunicorn 2 workers sur 127.0.0.1, {load['clients']} pilotes simulés, "
        f"{load['seconds']} s"
    )
    print(
        table(
            [
                [
                    load["saves"],
                    f"{load['saves_per_s']:.1f}",
                    load["pilots_saved"],
                    load["requests"],
                    f"{load['requests_per_s']:.1f}",
                    _ms(load["p95_request_ms"]),
                    _ms(load["p95_save_ms"]),
                    load["errors"],
                    load["lost_writes"],
                ]
            ],
            [
                "enregistrements",
                "enr./s",
                "pilotes ayant enregistré",
                "requêtes",
                "req./s",
                "p95 requête ms",
                "p95 enregistrement ms",
                "erreurs",
                "écritures perdues",
            ],
        )
    )
    register = load["register_pilots"]
    print(
        f"Pilotes ayant enregistré : {load['pilots_saved']} sur {load['clients']}, dont "
        f"{len(register)} sur un indicateur calculé depuis le registre des contrats."
    )
    for pilot in register:
        print(
            f"  {pilot['indicator']} ({pilot['username']}, valeur calculée {pilot['register_value']}) : "
            f"{pilot['saves']} enregistrements, {pilot['taken']} en reprenant la valeur calculée, "
            f"{pilot['typed_with_comment']} d'une autre valeur avec son commentaire"
        )
    found = load["acknowledged_values_checked"] - load["unrecorded_writes"]
    print(
        f"Vérification finale : dernière valeur acquittée (valeur et commentaire) relue en base pour "
        f"{load['acknowledged_rows_checked']} pilotes ; {found} des "
        f"{load['acknowledged_values_checked']} valeurs acquittées retrouvées dans l'historique."
    )
    return _load_failures(load)


def _load_failures(load: dict) -> list[str]:
    """The load test's targets: no error, no lost or unrecorded write, every pilot saved, some on an
    indicator computed from the register."""
    failures = []
    register = load["register_pilots"]
    if load["errors"] or load["lost_writes"] or load["unrecorded_writes"] or load["still_running"]:
        failures.append(
            f"charge : {load['errors']} erreurs {load['error_samples']}, "
            f"{load['lost_writes']} écritures perdues {load['lost_samples']}, "
            f"{load['unrecorded_writes']} absentes de l'historique, "
            f"{load['still_running']} pilotes encore actifs à la fin"
        )
    if load["pilots_without_save"]:
        failures.append(
            f"charge : {len(load['pilots_without_save'])} pilotes n'ont rien enregistré "
            f"{load['pilots_without_save']}"
        )
    if not register:
        failures.append(
            "charge : aucun pilote n'enregistre sur un indicateur calculé depuis le registre "
            "(données du banc d'essai)"
        )
    return failures


def print_schema(report: dict, sizes: list[int]) -> list[str]:
    """The schema document: PDF render (fresh process) and its page; queries must not grow with size."""
    failures = []
    print("\nSchéma (le plan lui-même) : PDF balisé PDF/UA-1 (rendu complet, processus neuf) et page web")
    rows = []
    first = report["sizes"][sizes[0]]["schema"]
    for size in sizes:
        s = report["sizes"][size]["schema"]
        warm, cold = s["pages"][0], s["pages"][1]
        rows.append(
            [
                f"{size}x",
                s["fiches"],
                f"{s['wall_s']:.2f}",
                f"{s['cpu_s']:.2f}",
                f"{s['peak_rss_mb']:.0f}",
                s["pdf_pages"],
                f"{s['bytes'] // 1024}",
                s["cold_queries"],
                warm["queries"],
                f"{warm['median_ms']:.1f}",
                f"{warm['p95_ms']:.1f}",
                f"{cold['median_ms']:.1f}",
            ]
        )
        if s["cold_queries"] != first["cold_queries"] or warm["queries"] != first["pages"][0]["queries"]:
            failures.append(
                f"schéma : {s['cold_queries']}/{warm['queries']} requêtes à {size}x, "
                f"{first['cold_queries']}/{first['pages'][0]['queries']} à {sizes[0]}x"
            )
        if size == 1 and s["peak_rss_mb"] >= SCHEMA_PDF_MEMORY_LIMIT_MB:
            failures.append(f"schéma PDF 1x : mémoire maximale {s['peak_rss_mb']:.0f} Mo ≥ 300 Mo")
        if size == 1 and warm["p95_ms"] >= warm["limit_ms"]:
            failures.append(
                f"schéma (page) : 95e centile {warm['p95_ms']:.1f} ms ≥ {warm['limit_ms']:.0f} ms"
            )
    headers = [
        "taille",
        "fiches",
        "PDF s",
        "PDF s CPU",
        "mémoire max Mo",
        "pages PDF",
        "PDF Ko",
        "req. page (cache vide)",
        "req. page",
        "méd. ms",
        "p95 ms",
        "méd. ms cache vide",
    ]
    print(table(rows, headers))
    return failures


def print_pdf_downloads(report: dict, sizes: list[int]) -> list[str]:
    failures = []
    print("\nBilan PDF téléchargé deux fois de suite (données inchangées) : rendu puis cache")
    rows = []
    for size in sizes:
        d = report["sizes"][size]["pdf_downloads"]
        rows.append(
            [
                f"{size}x",
                d["year"],
                f"{d['first_ms']:.0f}",
                f"{d['second_ms']:.1f}",
                "oui" if d["same_bytes"] else "NON",
            ]
        )
        if not d["same_bytes"]:
            failures.append(f"PDF {size}x : le second téléchargement n'est pas le document en cache")
        if d["second_ms"] >= SECOND_PDF_LIMIT_MS:
            failures.append(
                f"PDF {size}x : second téléchargement {d['second_ms']:.1f} ms ≥ {SECOND_PDF_LIMIT_MS} ms"
            )
    print(table(rows, ["taille", "bilan", "1er ms", "2e ms", "mêmes octets"]))
    return failures


THROUGHPUT_PAGES = (
    ("login", "Page de connexion"),
    ("fiche", "Page de la fiche (pilote)"),
    ("public_plan", "Site public : le plan (sans compte)"),
    ("public_fiche", "Site public : fiche (sans compte)"),
)


def print_throughput(result: dict | None) -> list[str]:
    if not result:
        return []
    login = result["login"]
    print(
        f"\nDébit sur gunicorn ({result['workers']} workers, {result['connections']} connexions, "
        f"{result['seconds']:.0f} s par page, outil : {login['tool']})"
    )
    rows = [
        [
            name,
            f"{page['requests_per_s']:.0f}",
            page["requests"],
            f"{page['p50_ms']:.1f}",
            f"{page['p99_ms']:.1f}",
            page["errors"],
        ]
        for name, page in ((label, result[key]) for key, label in THROUGHPUT_PAGES if key in result)
    ]
    print(table(rows, ["page", "req./s", "requêtes", "p50 ms", "p99 ms", "erreurs"]))
    rounds = ", ".join(f"{r:.2f}" for r in result.get("round_ratios", []))
    print(
        f"Rapport page de la fiche / page de connexion : {result['ratio']:.2f}, médiane des manches "
        f"alternées ({rounds}) (objectif ≥ {result['target_ratio']:.2f})"
    )
    failures = []
    if result["ratio"] < result["target_ratio"]:
        failures.append(
            f"débit de la page de la fiche : {result['ratio']:.2f} de celui de la connexion (< 1/3)"
        )
    public_target = result.get("public_target_rps", 0)
    for key, label in THROUGHPUT_PAGES[2:]:
        if key in result:
            rate = result[key]["requests_per_s"]
            print(f"{label} : {rate:.0f} req./s (objectif ≥ {public_target:.0f})")
            if rate < public_target:
                failures.append(f"débit {label} : {rate:.0f} req./s < {public_target:.0f}")
    errors = sum(result[key]["errors"] for key, _ in THROUGHPUT_PAGES if key in result)
    if errors:
        failures.append(f"débit : {errors} réponses en erreur")
    return failures
