"""Which words of a command name a column, and which name a value held in a column.

Columns are matched through ``altlas.run.columns.columns_match`` (case, accents, separators,
English/Turkish role words, near misses), trying the longest run of words first and the forms
left after stripping Turkish case endings ("seviyesinin" → "seviyesi", "stoğa" → "stok").
Values are matched against the distinct values the table actually holds, so "London" finds
the city column without the command naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

from altlas.do.ground_data_words import Tok, fold_word
from altlas.do.tables import TableFacts
from altlas.run.columns import columns_match, names_by_role

__all__ = ["Mention", "ValueMention", "find_columns", "find_values", "id_like", "is_stopword"]

_MAX_SPAN = 4


def _words(text: str) -> list[str]:
    return text.split()


# Words that never name a column or a value by themselves, whatever a fuzzy match thinks.
_STOP = frozenset(
    _words(
        """
        a an the of in on at to by from and or is are was were be been it its them they this that
        these those their there with for per each every all any some no not only just than then
        which what who how many much me my please could would you your can show tell give find get
        keep make sort order filter save write rows row records record lines line file files table
        data result results set list value values column columns field fields as into out new ve
        veya ile ya da de ki bir her bu su o en daha gore olan olarak icin mi mu var yok sonra once
        bunu bunlari bunlarin sonucu dosya dosyasi dosyasini dosyasina satir satirlari satirlar
        kayit kayitlari kayitlar tum butun sadece yalnizca yalniz adiyla adli adinda isimli olanlari
        olanlar sutun sutunu sutununa sutunlari alan alanlari kolon kolonu say sayisi tane kac hangi
        hangisi nedir goster listele bul al kaydet yaz sirala
        """
    )
)

# Turkish endings (folded), longest first; a stripped form is used only when it matches.
_ENDINGS = tuple(
    sorted(
        _words(
            "larinin lerinin larina larini lerine lerini larda lerde sinde sinin sunda sunun"
            " lari leri sine sini suna sunu dan den ina ine ini lar ler lik luk nin nun tan ten"
            " una unu da de in li lu na ne ni nu si su ta te un ya ye yi yu a e i u"
            " daki deki taki teki ndaki ndeki nda nde ndan nden"
        ),
        key=len,
        reverse=True,
    )
)
_SOFTENED = {"g": "k", "b": "p", "c": "c", "d": "t"}
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    """Token indices, ``end`` exclusive."""
    column: str


@dataclass(frozen=True, slots=True)
class ValueMention:
    start: int
    end: int
    holders: dict[str, str]
    """Every text column that holds it → the value as that column writes it."""


def id_like(column: str) -> bool:
    """An identifier column (id, order_id, part_no, urun_kodu): never a measure."""
    key = fold_word(column).replace("_", " ").replace("-", " ").split()
    return bool(key) and key[-1] in ("id", "no", "nr", "number", "num", "kodu", "code", "kod")


def is_stopword(word: str) -> bool:
    return word in _STOP


def _stripped(word: str) -> list[str]:
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")  # English plurals: salaries → salary
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        forms.append(word[:-1])  # uploads → upload, logins → login
    for _ in range(2):
        for form in list(forms):
            for ending in _ENDINGS:
                if form.endswith(ending) and len(form) - len(ending) >= 2:
                    base = form[: -len(ending)]
                    forms.append(base)
                    if base[-1] in _SOFTENED:
                        forms.append(base[:-1] + _SOFTENED[base[-1]])
                    if base[-1] not in _VOWELS and base[-2] not in _VOWELS:
                        # the dropped vowel of şehir → şehri, isim → ismi, oğul → oğlu
                        forms.extend(base[:-1] + v + base[-1] for v in "iu")
    return list(dict.fromkeys(forms))


def _ambiguous_word(word: str, columns: tuple[str, ...]) -> bool:
    """``part`` for part_no and part_name: a word of several headers names none of them."""
    parts = [c for c in columns if word in fold_word(c).replace("_", " ").replace("-", " ").split()]
    return len(parts) > 1 and fold_word(word) not in {fold_word(c) for c in columns}


def column_of(words: list[str], columns: tuple[str, ...]) -> str | None:
    """The column that these folded words name, trying Turkish-stripped forms of the last one."""
    if not columns or (any(w in _STOP for w in words) and len(words) == 1):
        return None
    head = " ".join(words[:-1])
    for last in _stripped(words[-1]):
        phrase = f"{head} {last}".strip()
        if len(phrase) < 2 or phrase in _STOP:
            continue
        if len(words) == 1 and _ambiguous_word(last, columns):
            return None
        found = columns_match(phrase, columns)
        if found is not None:
            return found
    return None


def _key(text: str) -> str:
    return "".join(ch for ch in fold_word(text) if ch.isalnum())


def _plain(phrase: str, column: str, columns: tuple[str, ...]) -> bool:
    """Whether ``phrase`` names ``column`` without a near-miss guess: the header itself, a
    plural, a role word, or a run of the header's own words."""
    key, col_key = _key(phrase), _key(column)
    if key in (col_key, col_key + "s", col_key + "es") or col_key in (key, key + "s"):
        return True
    words, col_words = phrase.split(), fold_word(column).replace("_", " ").replace("-", " ").split()
    if any(col_words[i : i + len(words)] == words for i in range(len(col_words))):
        return True
    # the whole phrase must be a role word ("stok miktarı", "birim fiyat"); a phrase that only
    # ends in one ("kind ve qty") is several words, not one column
    return names_by_role(key, column, columns)


def _whole_phrase(words: list[str], columns: tuple[str, ...]) -> str | None:
    """The column a run of words names plainly (never by a near miss), trying the
    Turkish-stripped forms of its last word; stop words may edge it only when the run
    spells the header ("on hand" for on_hand)."""
    head = " ".join(words[:-1])
    for last in _stripped(words[-1]):
        phrase = f"{head} {last}"
        column = columns_match(phrase, columns)
        if column is None or not _plain(phrase, column, columns):
            continue
        if (words[0] in _STOP or words[-1] in _STOP) and _key(phrase) != _key(column):
            continue
        return column
    return None


def _compound_head(words: list[str], columns: tuple[str, ...]) -> str | None:
    """ "ürün rengi", "müşteri şehri": in a Turkish noun compound (bare modifier, head with
    the possessive -(s)I) the head names the column; the modifier only qualifies it, so it
    must not claim a column of its own."""
    modifier, head = words
    if modifier in _STOP or head in _STOP or head[-1] not in "iu":
        return None
    qualified = columns_match(modifier, columns)
    if qualified is None or not _plain(modifier, qualified, columns):
        return None  # the modifier must plainly be a column word of its own
    column = column_of([head], columns)
    if column is None or column == qualified or _key(head) == _key(column):
        return None  # the head must be a suffixed form of another column's word
    return column


def _stock_as_quantity(words: list[str], facts: TableFacts) -> str | None:
    """ "stoklu", "in stock" on a table whose stock is its quantity column (qty, adet)."""
    if words[0] in _STOP or columns_match(words[0], ("stock",)) != "stock":
        return None
    if columns_match("stock", facts.columns) is not None:
        return None
    return columns_match("quantity", facts.columns)


def find_columns(toks: list[Tok], facts: TableFacts, skip: set[int]) -> list[Mention]:
    """Column mentions, longest first, never overlapping, never over ``skip``ped tokens."""
    found: list[Mention] = []
    taken: set[int] = set(skip)
    for size in range(_MAX_SPAN, 0, -1):
        for i in range(len(toks) - size + 1):
            span = range(i, i + size)
            if any(k in taken for k in span):
                continue
            group = toks[i : i + size]
            if any(t.kind != "word" for t in group):
                continue
            words = [t.fold for t in group]
            if size == 1:
                column = column_of(words, facts.columns) or _stock_as_quantity(words, facts)
            else:
                column = _whole_phrase(words, facts.columns)
                if column is None and size == 2:
                    column = _compound_head(words, facts.columns)
            if column is not None:
                found.append(Mention(i, i + size, column))
                taken.update(span)
    return sorted(found, key=lambda m: m.start)


def _value_index(facts: TableFacts) -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for column, values in facts.values.items():
        for value in values:
            index.setdefault(fold_word(value).strip(), {}).setdefault(column, value)
    return index


def find_values(
    toks: list[Tok], facts: TableFacts, skip: set[int], *, marked_only: bool = False
) -> list[ValueMention]:
    """Words (or quoted text) that the table holds as a value of one of its text columns.

    ``marked_only``: only capitalised or quoted words (sure to be meant as values).
    """
    index = _value_index(facts)
    found: list[ValueMention] = []
    taken = set(skip)
    for size in range(_MAX_SPAN, 0, -1):
        for i in range(len(toks) - size + 1):
            span = range(i, i + size)
            group = toks[i : i + size]
            if any(k in taken for k in span) or any(
                t.kind not in ("word", "quote", "num") for t in group
            ):
                continue
            shouted = group[0].text.isupper() and len(group[0].text) >= 2  # "DE", "NL"
            if size == 1 and group[0].kind == "word" and group[0].fold in _STOP and not shouted:
                continue
            if marked_only and not any(t.capitalized or t.kind == "quote" for t in group):
                continue
            key = " ".join(t.fold for t in group)
            holders = index.get(key)
            if not holders and size == 1 and group[0].kind == "word" and len(key) > 4:
                # "izmirdeki", "ankarada": a value with a Turkish ending and no apostrophe
                holders = next(
                    (index[f] for f in _stripped(key)[1:] if len(f) >= 3 and f in index), None
                )
            if not holders:
                continue
            found.append(ValueMention(i, i + size, dict(holders)))
            taken.update(span)
    return sorted(found, key=lambda v: v.start)
