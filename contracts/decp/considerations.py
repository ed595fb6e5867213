"""The social and environmental considerations a DECP record publishes, read as their publisher
meant them: the schema's words compared without accents, case or surrounding spaces, split when
several share one string, whatever shape holds them; a word that is none of the schema's values is
reported and leaves the side unknown."""

from __future__ import annotations

import functools
import re
import unicodedata

from ..enums import Considerations

_SEPARATORS = re.compile(r"[,;]")

# The schema's words (2.0.3: marchés and concessions), folded (no accents, lower case, single spaces).
SOCIAL_FLAGS = {
    "clause sociale": "social_clause",
    "critere social": "social_criterion",
    "marche reserve": "reserved",
    "concession reservee": "reserved",
}
SOCIAL_NONE = {"pas de consideration sociale"}
ENVIRONMENTAL_FLAGS = {
    "clause environnementale": "environmental_clause",
    "critere environnemental": "environmental_criterion",
}
ENVIRONMENTAL_NONE = {"pas de consideration environnementale"}
SIDES = {"social": "considérations sociales", "environmental": "considérations environnementales"}


@functools.lru_cache(maxsize=4096)  # a few words recur millions of times in a national file
def fold(word: str) -> str:
    """A word compared as people mean it: without accents, case, or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def _words(stated, inner: str, depth: int = 0) -> list[str]:
    """The words a consideration field states, whatever its shape: {"considerationSociale": [...]},
    the same wrapped in a list, a bare list, one string holding several words with commas or semicolons."""
    if stated is None or depth > 4:
        return []
    if isinstance(stated, str):
        return [word.strip() for word in _SEPARATORS.split(stated) if word.strip()]
    if isinstance(stated, dict):
        inside = stated[inner] if inner in stated else list(stated.values())
        return _words(inside, inner, depth + 1)
    if isinstance(stated, list):
        return [word for item in stated for word in _words(item, inner, depth + 1)]
    text = str(stated).strip()  # a number, a boolean: a word not understood
    return [text] if text else []


INNER = {"social": "considerationSociale", "environmental": "considerationEnvironnementale"}
OUTER = {"social": "considerationsSociales", "environmental": "considerationsEnvironnementales"}


_SIDES_WORDS = {
    "social": (SOCIAL_FLAGS, SOCIAL_NONE),
    "environmental": (ENVIRONMENTAL_FLAGS, ENVIRONMENTAL_NONE),
}


def considerations(raw: dict, side: str) -> tuple[str, tuple, tuple[str, ...], tuple[str, ...]]:
    """(status, flags as (name, bool) pairs, words as published, words not understood) of one side.

    A flag the words state makes the side "stated"; otherwise a word that is none of the schema's
    values leaves it unknown (never "none": that would lower the rate the bilan prints); "Pas de
    considération ..." alone makes it "none"; a record without the field predates it (unknown).
    """
    stated, inner = raw.get(OUTER[side]), INNER[side]
    if stated is None:
        return _judged(side, ())
    if type(stated) is dict and len(stated) == 1 and type(items := stated.get(inner)) is list:
        if all(type(item) is str for item in items):
            return _judged(side, tuple(items))  # the schema's own shape: the same few lists, judged once
    return _judge(side, _words(stated, inner))


@functools.lru_cache(maxsize=4096)  # a few lists of words recur millions of times in a national file
def _judged(side: str, items: tuple[str, ...]):
    return _judge(side, _words(list(items), INNER[side]))


def _judge(side: str, stated: list[str]):
    words, none_words = _SIDES_WORDS[side]
    flags = dict.fromkeys(words.values(), False)
    unknown, saw_none = [], False
    for word in stated:
        folded = fold(word)
        if folded in words:
            flags[words[folded]] = True
        elif folded in none_words:
            saw_none = True
        else:
            unknown.append(word)
    if any(flags.values()):
        status = Considerations.STATED
    elif saw_none and not unknown:
        status = Considerations.NONE
    else:
        status = Considerations.UNKNOWN
    return status, tuple(flags.items()), tuple(stated), tuple(unknown)
