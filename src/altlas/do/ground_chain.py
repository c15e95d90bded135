"""Chains: "then save it as …", "sonucu … olarak kaydet", and a bare "list them" / "listele".

These return placeholder operations (handler ``save`` or ``repeat``) that the planner resolves
against the step they refer to: a save becomes that step's ``output`` in the format the
suffix implies, a repeat adds nothing.
"""

from __future__ import annotations

import re

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
    return Operation("save", {"output": target}, f"save the previous result as {target}")
