"""Chains: "then save it as …", "sonucu … olarak kaydet", and a bare "list them" / "listele".

These return placeholder operations (handler ``save`` or ``repeat``) that the planner resolves
against the step they refer to: a save becomes that step's ``output`` in the format the
suffix implies, a repeat adds nothing.
"""

from __future__ import annotations

import re

from altlas.do.accounted import unaccounted
from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import existing, folded, has_any, mentions, refers_back

__all__ = ["ground_chain"]

_SAVE = (
    r"\b(save|write|store|put|export|output|copy|dump|send|keep)\b",
    r"\b(kaydet|yaz|aktar|kopyala|koy|sakla|cikar)\w*",
    r"\b(olarak|adiyla|adinda)\b",
    r"->",
)
_BARE = re.compile(
    r"^(?:and\s+|ve\s+)?(?:please\s+|lutfen\s+)?(?:list|show|display|print|tell me|give me|"
    r"listele|goster|yazdir|soyle)\w*(?:\s+(?:it|them|those|the list|the result|the results|"
    r"me|bunu|bunlari|onlari|sonucu|sonuclari|listeyi))?\s*[.!?]*$"
)


_HOW_MANY = re.compile(
    r"^(?:and\s+|ve\s+)?(?:tell me\s+|say\s+|bana\s+)?(?:how many|the number|kac tane|kac)\b"
    r"(?!.*\b(words?|kelime\w*|times|kez|kere)\b)"
)


def ground_chain(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    previous = ctx.previous
    if previous is None:
        return None
    low = folded(text).strip()
    if _BARE.match(low):
        return Operation("repeat", {}, "shows the previous result")
    if _HOW_MANY.search(low) and not mentions(text) and previous.produces in ("lines", "table"):
        # "… and tell me how many there are": the count is part of the previous answer
        return Operation("repeat", {"count": True}, "the number of what was found")
    found = mentions(text)
    if not found or found[-1].endswith("/") or not has_any(text, *_SAVE):
        return None
    target = found[-1]
    others = [m for m in found[:-1] if existing(m, ctx)]
    if others and not refers_back(text):
        return None
    if _more_than_a_save(text, target):
        return None  # "keep only the login events and save as …": a step, then the save
    return Operation("save", {"output": target}, f"save the previous result as {target}")


_SAVE_WORDS = (
    r"save\w*|saved|write|writes|written|store\w*|put|export\w*|output|copy|dump|send|keep|"
    r"as|called|named|name|result\w*|file|files|new|format|table|count|number|total|list|"
    r"answer|summary|lines|rows|data|copy|version|then|finally|also|too|afterwards|after|"
    r"kaydet\w*|yaz\w*|aktar\w*|kopyala\w*|koy\w*|sakla\w*|cikar\w*|olarak|adiyla|"
    r"adinda|adli|dosya\w*|sonuc\w*|bunu|bunlari|onu|onlari|ciktiyi|ciktisini|listeyi|"
    r"tabloyu|sayiyi|ozeti|ardindan|sonra|en son|son olarak|da|de|hepsini|tumunu",
    r"folder|klasor\w*|directory|icine|into|in",
)
_DEMONSTRATIVE = re.compile(r"\b(?:those|these|that|this|such|bu|su|o|the found)\s+(\w+)")


def _more_than_a_save(text: str, target: str) -> bool:
    """Whether the words ask for more than saving what came before ("only the login rows")."""
    low = folded(text)
    nouns = [m.group(1) for m in _DEMONSTRATIVE.finditer(low)]  # "save those orders to …"
    folders = [part for part in target.split("/")[:-1] if part]
    return bool(unaccounted(text, _SAVE_WORDS, [*nouns, *folders]))
