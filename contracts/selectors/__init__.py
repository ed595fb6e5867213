"""What the legal indicators (art. L2111-3) say, read from the contracts register.

A plan reads its buyers' contracts through `PlanRegister`: live, or, once the plan is closed, as they
stood at its closing (`Contract.history.as_of`): later imports still fill the register, which belongs
to the buyer, but never change what a closed plan shows. Every figure counts the contracts SCP did
not exclude, with SCP's corrections over the published considerations, and leaves anomalous amounts
out of the value totals (contracts.rules). `legal_figures` is the command's computation;
`legal_overview` the page's and the bilan's; `register_figures` the fiche indicators computed from
the register.

The package, by concern: `register` (what a plan reads of the register, tallies and lists), `figures`
(the command's year and the fiche indicators), `legal` (the legal indicators' page and the bilan's
section), `pages` (the register's list and a contract's page), `suppliers` (the shares by category of
holders), `holders` (a holder's page), `labels` (amounts and shares in French).
"""

from .figures import (
    LegalFigures,
    RegisterFigure,
    legal_figures,
    register_figures,
)
from .holders import HolderPage, holder_page
from .labels import (
    NBSP,
    contract_amount,
    euros,
    percent,
    stated_percent,
)
from .legal import (
    CEILING_CATEGORIES,
    DUTY_YEAR,
    LIST_NAMES,
    LISTED,
    TREND_CATEGORIES,
    LegalOverview,
    ceiling_label,
    european_threshold_labels,
    legal_default_year,
    legal_overview,
    legal_table,
    national_references,
    plan_targets,
    trend_rows,
)
from .pages import (
    FIELD_ORDER,
    FLAG_LABELS,
    HISTORY_KINDS,
    PAGE_SIZE,
    ConsiderationLine,
    ContractFilters,
    ContractPage,
    RegisterPage,
    contract_page,
    register_contracts,
    register_page,
)
from .register import (
    AMOUNT,
    LISTED_FIELDS,
    ZERO,
    PlanRegister,
    list_rules,
    notable_contracts,
    plan_buyers,
    tally,
    tally_by_year,
    tally_share,
    tally_sum,
    zero_tally,
)
from .suppliers import (
    SPLIT_RULE,
    holder_identifiers,
    supplier_section,
    supplier_tally,
)

__all__ = [
    "AMOUNT",
    "CEILING_CATEGORIES",
    "ConsiderationLine",
    "ContractFilters",
    "ContractPage",
    "DUTY_YEAR",
    "FIELD_ORDER",
    "FLAG_LABELS",
    "HolderPage",
    "SPLIT_RULE",
    "HISTORY_KINDS",
    "LISTED",
    "LISTED_FIELDS",
    "LIST_NAMES",
    "LegalFigures",
    "LegalOverview",
    "NBSP",
    "PAGE_SIZE",
    "PlanRegister",
    "RegisterFigure",
    "RegisterPage",
    "TREND_CATEGORIES",
    "ZERO",
    "ceiling_label",
    "contract_amount",
    "contract_page",
    "european_threshold_labels",
    "holder_identifiers",
    "holder_page",
    "euros",
    "legal_default_year",
    "legal_figures",
    "legal_overview",
    "legal_table",
    "list_rules",
    "national_references",
    "notable_contracts",
    "percent",
    "plan_buyers",
    "plan_targets",
    "register_contracts",
    "register_figures",
    "register_page",
    "stated_percent",
    "supplier_section",
    "supplier_tally",
    "tally",
    "tally_by_year",
    "tally_share",
    "tally_sum",
    "trend_rows",
    "zero_tally",
]
