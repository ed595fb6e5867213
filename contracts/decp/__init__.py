"""Reading DECP files (données essentielles de la commande publique), streamed.

Two shapes exist:
- the 2022 format (arrêté du 22 décembre 2022, schema 2.0.x):
  `{"marches": {"marche": [...], "contrat-concession": [...]}}`, with the social and environmental
  considerations (from 2024);
- the 2019 format, still found for older years: `{"marches": [...]}`, each record with `_type`
  "Marché" or "Contrat de concession", without considerations (so "unknown").

Real files break the schema's promises, and the reader takes each shape as its publisher meant it
(README, "Registre des contrats"): bare `NaN`/`Infinity` tokens (invalid JSON) are missing values;
2019 keys flattened as `"acheteur.id"` are read like their nested form; consideration words are
compared without accents, case or surrounding spaces, split when several share one string, and a
word that is none of the schema's values leaves that side "non renseigné" and is reported; French
amounts ("50 000,00") are numbers. A record that cannot be a contract (no id, no date, a date that
is not one or is impossible) is skipped and listed with its reason; a doubtful one (a word not
understood, an anomalous amount) is kept and listed. A file that is not DECP at all, or is nested
deeper than the format needs, raises DecpFormatError (French message) before anything is written.

The reader: the standard library's C decoder (json.JSONDecoder.raw_decode) decodes one record at a
time from a window of the file decoded incrementally. A national file holds a million contracts
and more; the window holds one chunk and the record being read, so memory stays bounded whatever
the file's size. ijson's C backend (yajl) read it before, but yajl has no option for `NaN` (lloyd/yajl
issue 109) nor a nesting limit: 100,000 nested brackets made it grow past 20 GB. The standard decoder
reads `NaN` through `parse_constant`, stops deep nesting with RecursionError, and is faster than
ijson's items on these files (bench/decp.py compares them).

The package: `reader` reads the file, `records` normalises one record, `considerations` reads its
considerations.
"""

from .considerations import (
    ENVIRONMENTAL_FLAGS,
    ENVIRONMENTAL_NONE,
    INNER,
    OUTER,
    SIDES,
    SOCIAL_FLAGS,
    SOCIAL_NONE,
    fold,
)
from .reader import (
    ARRAYS,
    CHUNK,
    MAX_DEPTH,
    MAX_RECORD_CHARS,
    DecpFormatError,
    Scan,
    Skipped,
    detect_format,
    scan,
)
from .records import (
    CENT,
    EARLIEST_DATE,
    ID_MAX_LENGTH,
    LIST_FIELDS,
    MAX_MODIFICATIONS,
    STORABLE_AMOUNT,
    Amount,
    BadRecord,
    Essentials,
    Record,
    essentials,
    normalise,
    read_amount,
    read_date,
    unflatten,
)

__all__ = [
    "ARRAYS",
    "Amount",
    "BadRecord",
    "CENT",
    "CHUNK",
    "DecpFormatError",
    "Essentials",
    "EARLIEST_DATE",
    "ENVIRONMENTAL_FLAGS",
    "ENVIRONMENTAL_NONE",
    "ID_MAX_LENGTH",
    "INNER",
    "LIST_FIELDS",
    "MAX_DEPTH",
    "MAX_MODIFICATIONS",
    "MAX_RECORD_CHARS",
    "OUTER",
    "Record",
    "SIDES",
    "SOCIAL_FLAGS",
    "SOCIAL_NONE",
    "STORABLE_AMOUNT",
    "Scan",
    "Skipped",
    "detect_format",
    "essentials",
    "fold",
    "normalise",
    "read_amount",
    "read_date",
    "scan",
    "unflatten",
]
