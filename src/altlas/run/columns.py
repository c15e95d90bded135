"""Match the column a person named ("birim", "Stok", "reorder level") to a table's real header.

Matching is case-, accent- and separator-insensitive (Turkish dotted and dotless i fold to
``i``; ş, ğ, ç, ö, ü lose their marks), knows English and Turkish words for the usual roles
(birim → units, bölge → region, fiyat → price) with their common Turkish suffixes, and
accepts near misses ("regoin") only above a score cutoff and only when one column is clearly
the best. Anything less certain is an error (``resolve_column``) or None (``columns_match``):
a wrong guess would silently compute the wrong answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from altlas.run.handlers.base import PermanentError, shown

__all__ = ["ColumnError", "columns_match", "fold", "names_by_role", "resolve_column", "shown"]

# Canonical (English) role → the words people use for it, English and Turkish (folded form).
# Order matters in WORD_ROLES below: a word listed under two roles tries the first one first.
_ROLES: dict[str, tuple[str, ...]] = {
    "units": ("unit", "units", "birim", "birimler", "adet", "adedi", "adetler"),
    "quantity": ("quantity", "qty", "miktar", "adet", "adedi", "amount"),
    "amount": ("amount", "miktar", "tutar"),
    "region": ("region", "regions", "bolge", "bolgeler"),
    "price": ("price", "prices", "fiyat", "fiyatlar", "ucret", "birim fiyat", "unit price"),
    "stock": (
        "stock",
        "stocks",
        "stok",
        "stogu",
        "stoku",
        "stok miktari",
        "stok adedi",
        "stock level",
        "inventory",
    ),
    "product": ("product", "products", "urun", "urunler", "item"),
    "city": ("city", "cities", "sehir", "sehri", "sehirler", "il"),
    "name": ("name", "names", "ad", "adi", "isim", "ismi", "isimler"),
    "date": ("date", "dates", "tarih", "tarihler"),
    "revenue": ("revenue", "revenues", "gelir", "gelirler", "ciro", "hasilat", "income"),
    "customer": ("customer", "customers", "musteri", "musteriler", "client"),
    "email": ("email", "emails", "e mail", "mail", "e posta", "eposta"),
    "reorder_level": (
        "reorder level",
        "reorder point",
        "yeniden siparis seviyesi",
        "yeniden siparis duzeyi",
        "siparis seviyesi",
    ),
    "sku": ("sku", "stok kodu", "urun kodu"),
    "score": ("score", "puan", "skor"),
    "category": ("category", "categories", "kategori", "kategoriler"),
    "country": ("country", "ulke", "ulkeler"),
    "status": ("status", "durum", "durumu"),
    "total": ("total", "toplam"),
    "cost": ("cost", "maliyet"),
    "phone": ("phone", "telefon"),
    "address": ("address", "adres"),
    "age": ("age", "yas"),
    "year": ("year", "yil"),
    "month": ("month", "ay"),
    "description": ("description", "aciklama"),
    "title": ("title", "baslik"),
    "salary": ("salary", "salaries", "maas", "maaslar", "ucret", "wage", "wages", "pay"),
    "department": ("department", "departments", "departman", "bolum", "dept"),
    "warehouse": ("warehouse", "warehouses", "depo", "depolar", "ambar", "depot"),
}

# Turkish suffixes worth stripping from a role word ("stoğunu", "bölgeye", "fiyatları").
# A stripped form is used only when it is itself a role word, so over-stripping is harmless.
_TR_SUFFIXES = (
    "lerinin",
    "larinin",
    "lerine",
    "larina",
    "lerini",
    "larini",
    "leri",
    "lari",
    "ler",
    "lar",
    "nin",
    "nun",
    "sini",
    "sunu",
    "sine",
    "suna",
    "si",
    "su",
    "ni",
    "nu",
    "in",
    "un",
    "nda",
    "nde",
    "ndan",
    "nden",
    "na",
    "ne",
    "ye",
    "ya",
    "de",
    "da",
    "te",
    "ta",
    "den",
    "dan",
    "ten",
    "tan",
    "e",
    "a",
    "i",
    "u",
)
# Final consonant softening in Turkish: stoğ-u ← stok, ad-ı ← at; folded ğ is g.
_SOFTENED = {"g": "k", "b": "p", "c": "c", "d": "t"}

_FUZZY_CUTOFF = 80.0
_FUZZY_MARGIN = 5.0
_FUZZY_MIN_LEN = 4


class ColumnError(PermanentError):
    """A column word matched no column, or more than one equally well."""

    default_type = "UnknownColumn"


def fold(text: str) -> str:
    """``text`` lower-cased, without accents, separators as single spaces.

    ``fold("Stok_Miktarı") == "stok miktari"``.
    """
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i").casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return " ".join(re.findall(r"[^\W_]+", text))


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


@lru_cache(maxsize=1)
def _word_roles() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for role, words in _ROLES.items():
        for word in (role, *words):
            roles = found.setdefault(_key(word), [])
            if role not in roles:
                roles.append(role)
    return {word: tuple(roles) for word, roles in found.items()}


def _stems(key: str) -> list[str]:
    """``key`` and the forms left after stripping one or two Turkish suffixes."""
    out = [key]
    for _ in range(2):
        for form in list(out):
            for suffix in _TR_SUFFIXES:
                if form.endswith(suffix) and len(form) - len(suffix) >= 2:
                    base = form[: -len(suffix)]
                    out.append(base)
                    if base[-1] in _SOFTENED:
                        out.append(base[:-1] + _SOFTENED[base[-1]])
    return list(dict.fromkeys(out))


def _roles_of(word: str) -> list[str]:
    """Roles ``word`` names: the whole phrase first, then its last word (the head of a
    compound in both languages: "kayıt tarihi" → tarih, "signup date" → date)."""
    table = _word_roles()
    base = word.split("'")[0].split("’")[0]
    phrases = [word, base]
    last = fold(base).split()[-1:] if " " in fold(base) else []
    roles: list[str] = []
    for phrase in [*phrases, *last]:
        key = _key(phrase)
        singular = [key[:-1], key[:-2]] if key.endswith("s") else []
        for stem in [*_stems(key), *singular] if key else []:
            for role in table.get(stem, ()):
                if role not in roles:
                    roles.append(role)
        if roles:
            break
    return roles


def _plural_forms(key: str) -> set[str]:
    forms = {key, key + "s", key + "es"}
    if key.endswith("es"):
        forms.add(key[:-2])
    if key.endswith("s"):
        forms.add(key[:-1])
    return forms


def _unique(found: list[str]) -> str | None:
    unique = list(dict.fromkeys(found))
    return unique[0] if len(unique) == 1 else None


def _by_key(key: str, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if _key(c) == key]


def _by_role(role: str, columns: Sequence[str]) -> str | None:
    own = [c for c in columns if _key(c) == _key(role)]
    if own:
        return _unique(own)
    role_keys = {_key(role), *(_key(w) for w in _ROLES[role])}
    exact = [c for c in columns if _key(c) in role_keys]
    if exact:
        return _unique(exact)
    loose = [c for c in columns if _plural_forms(_key(c)) & role_keys]
    if loose:
        return _unique(loose)
    # "price" for a header "unit_price": a whole word of the column, and only one such column
    tokens = [c for c in columns if _key(role) in fold(c).split()]
    return _unique(tokens)


def names_by_role(phrase: str, column: str, columns: Sequence[str]) -> bool:
    """Whether ``phrase`` as a whole is a role word ("stok miktarı", "birim fiyat") whose role
    is ``column`` among ``columns``; a phrase only ending in one is not."""
    return any(_by_role(role, columns) == column for role in _word_roles().get(_key(phrase), ()))


def _fuzzy(key: str, columns: Sequence[str]) -> str | None:
    if len(key) < _FUZZY_MIN_LEN:
        return None
    from rapidfuzz import fuzz, process

    choices: dict[str, set[str]] = {}
    for column in columns:
        choices.setdefault(_key(column), set()).add(column)
        for role in _word_roles().get(_key(column), ()):
            for word in _ROLES[role]:
                choices.setdefault(_key(word), set()).add(column)
    scored = process.extract(
        key, list(choices), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=None
    )
    if not scored:
        return None
    best_score = scored[0][1]
    best = {
        c
        for choice, score, _ in scored
        if score >= best_score - _FUZZY_MARGIN
        for c in choices[choice]
    }
    return next(iter(best)) if len(best) == 1 else None


class _Ambiguous(Exception):
    def __init__(self, candidates: list[str]) -> None:
        super().__init__(", ".join(candidates))
        self.candidates = candidates


def _match(word: str, columns: Sequence[str]) -> str | None:
    if word in columns:
        return word
    key = _key(word)
    if not key:
        return None
    same = _by_key(key, columns)
    if len(same) > 1:
        caseless = [c for c in same if c.casefold() == word.casefold()]
        if len(caseless) == 1:
            return caseless[0]
        raise _Ambiguous(same)
    if same:
        return same[0]
    plural = [c for c in columns if _key(c) in _plural_forms(key)]
    if len(plural) == 1:
        return plural[0]
    for role in _roles_of(word):
        found = _by_role(role, columns)
        if found is not None:
            return found
    words = fold(word).split()
    if words and len(key) >= 3:
        within = [c for c in columns if _contains_run(fold(c).split(), words)]
        if len(within) == 1:
            return within[0]
    return _fuzzy(key, columns)


def _contains_run(tokens: list[str], words: list[str]) -> bool:
    n = len(words)
    return any(tokens[i : i + n] == words for i in range(len(tokens) - n + 1))


def columns_match(word: str, columns: Sequence[str]) -> str | None:
    """The column of ``columns`` that ``word`` names, or None when none (or several) fit."""
    try:
        return _match(word, columns)
    except _Ambiguous:
        return None


def _listing(columns: Sequence[str]) -> str:
    listed = ", ".join(shown(c, 40) for c in columns[:30])
    return listed + (f", … ({len(columns)} in all)" if len(columns) > 30 else "")


def resolve_column(word: str, columns: Sequence[str]) -> str:
    """The real column that ``word`` names; :class:`ColumnError` (one line) when unsure."""
    if not isinstance(word, str) or not word.strip():
        raise ColumnError(f"a column name must be a non-empty text, not {shown(repr(word))}")
    if not columns:
        raise ColumnError(f"no column matches '{shown(word)}': the table has no columns")
    try:
        found = _match(word.strip(), columns)
    except _Ambiguous as exc:
        raise ColumnError(
            f"column '{shown(word)}' could be any of {_listing(exc.candidates)}; "
            f"use the exact name (columns: {_listing(columns)})"
        ) from None
    if found is None:
        raise ColumnError(f"no column matches '{shown(word)}' (columns: {_listing(columns)})")
    return found
