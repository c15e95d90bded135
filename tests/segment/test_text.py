"""Turkish-aware casing, folding and tokenisation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from altlas.segment.text import fold, is_sentence_end, lower, tokenize


def test_turkish_lowercase_maps_dotless_and_dotted_capitals() -> None:
    """I becomes ı and İ becomes i in Turkish; in English I is i and İ loses its dot."""
    assert lower("IŞIK İZMİR", "tr") == "ışık izmir"
    assert lower("IT İstanbul", "en") == "it istanbul"


def test_fold_makes_text_without_diacritics_comparable() -> None:
    """Folding equates 'Dosyayı AÇ' and 'dosyayi ac'."""
    assert fold("Dosyayı AÇ") == fold("dosyayi ac") == "dosyayi ac"
    assert fold("ÇALIŞTIR") == "calistir"


def test_tokens_keep_names_numbers_and_urls_whole() -> None:
    """File names, times, thousands, URLs and quoted names are single tokens."""
    text = (
        'Open "Q3 report.pdf", send https://x.io/a?b=1 to me at 9:30 and pay 1,200 for Node.js\'in'
    )
    words = [t.text for t in tokenize(text, "en")]
    assert '"Q3 report.pdf"' in words
    assert "https://x.io/a?b=1" in words
    assert "9:30" in words
    assert "1,200" in words
    assert "Node.js'in" in words


def test_sentence_end_is_not_an_ordinal_dot() -> None:
    """'3. çeyrek' keeps its dot; '... homepage. Then' ends a sentence."""
    toks = tokenize("3. çeyreği incele", "tr")
    assert not is_sentence_end(toks, 1)
    toks = tokenize("Measure it. Then write", "en")
    dot = next(i for i, t in enumerate(toks) if t.text == ".")
    assert is_sentence_end(toks, dot)


@given(st.text(max_size=200), st.sampled_from(["en", "tr"]))
def test_token_offsets_always_point_at_their_text(text: str, lang: str) -> None:
    """For any text, every token's offsets slice out exactly its text."""
    for tok in tokenize(text, lang):
        assert text[tok.start : tok.end] == tok.text
        assert tok.start < tok.end
