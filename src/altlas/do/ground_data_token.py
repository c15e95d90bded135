"""The token of a data command, in a module of its own so that the tokenizer
(``ground_data_words``) and the quantity reader (``ground_data_quantities``) it calls both
import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tok"]


@dataclass(slots=True)
class Tok:
    kind: str
    """file, quote, arrow, cmp, date, num, word, arith, punct."""
    text: str
    """The token as written, without an apostrophe suffix (quotes without their marks)."""
    fold: str
    suffix: str
    """A folded Turkish case ending that followed an apostrophe or a number ("den", "nin")."""
    start: int
    end: int
    number: float | None = None
    unit: str = ""
    """A size unit the number was scaled by ("mb" in "1 MB"), so a column named in that unit
    can be told apart."""

    @property
    def capitalized(self) -> bool:
        return self.kind == "word" and self.text[:1].isupper()
