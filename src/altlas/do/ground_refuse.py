"""What altlas does not do, said plainly, with what would make it possible where anything can."""

from __future__ import annotations

import re

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import existing, folded, has_any, mentions, without_paths

__all__ = ["REFUSALS", "ground_refuse", "refusal"]

_QUOTED = re.compile(r"(?<!\w)'[^'\n]+'|\"[^\"\n]+\"|“[^”\n]+”|`[^`\n]+`")

_LANGUAGES = (
    r"(english|german|french|spanish|italian|turkish|russian|arabic|chinese|japanese|dutch|"
    r"portuguese|greek|korean|polish|ingilizce|almanca|fransizca|ispanyolca|italyanca|turkce|"
    r"rusca|arapca|cince|japonca|felemenkce|hollandaca|portekizce|yunanca)"
)
# a verb at the start of the segment, or after "and" / "then" / "to"
_ACT = r"(?:^\s*(?:please\s+|lutfen\s+|(?:can|could|would|will) you\s+)*|\b(?:and|then|to)\s+)"
_SERVICES = (
    r"(instagram|facebook|twitter|linkedin|tiktok|whatsapp|telegram|signal|slack|discord|"
    r"teams|youtube|pinterest|mastodon|x\.com)"
)
REFUSALS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "translate",
        (
            r"\btranslat\w*",
            rf"\b{_LANGUAGES}\w*\s+(cevir|tercume)\w*",
            r"\btercume\w*",
            r"\bceviri\b",
        ),
        "translating needs an LLM backend: set [llm] in config.toml (see docs/runner.md)",
    ),
    (
        "email",
        (
            # the act, not the word: "sort by email" and "e-posta adresine göre" are columns
            rf"{_ACT}e-?mail\b",
            r"\be-?mail (it|them|this|that|me|him|her|us|the|a|an)\b",
            r"\b(send|forward|mail)\b.*\b(by|via|over|per|in an?|as an?)\s+e-?mail",
            r"\b(send|forward)\b.*@",
            r"\be-?posta\w*\s+(at|gonder|yolla|ilet|cek)\w*",
            r"\be-?posta(yla|ile| ile)\b.*\b(gonder|yolla|ilet)\w*",
            r"\bmail (at|gonder|yolla)\w*",
            r"@\S+\.\w+.*\b(gonder|yolla|ilet)\w*",
        ),
        "sending e-mail is not something altlas does",
    ),
    (
        "web",
        (
            r"\b(search|browse|look \w+ up|look up|check|find|collect|gather)\b.*\b(on|in|from)\s+"
            r"(the\s+)?(web|internet|google|bing|duckduckgo)\b",
            r"\b(search|browse)\s+(the\s+)?(web|internet|online)\b",
            rf"{_ACT}google\b",
            r"\b(google|bing|duckduckgo)\s+(it|this|that|for)\b",
            r"\binternet(ten|te|e)\b",
            r"\b(google|web)\s+\w*\s*(yorum|arama|sonuc)\w*",
            r"\bweather\b",
            r"\bhava durumu\b",
            r"\bhava nasil\b",
            r"\bexchange rate\b",
            r"\bdoviz kuru\b",
        ),
        "searching the web is not something altlas does",
    ),
    (
        "buy",
        (
            rf"{_ACT}(buy|purchase)\b",
            r"\border (new|more|some|a|an|\d+)\b",
            r"\bsatin al\w*",
            r"\bsiparis (ver|et|gec)\w*",
        ),
        "buying is not something altlas does",
    ),
    (
        "book",
        (
            rf"{_ACT}(book|reserve)\b",
            r"\bbook (a|an|the|me)\b",
            r"\bmake a reservation\b",
            r"\brezervasyon (yap|yaptir|ayarla)\w*",
            r"\bbilet al\w*",
            r"\b(ucak|otel)\b.*\bayarla\w*",
        ),
        "booking is not something altlas does",
    ),
    (
        "call",
        (
            # "call it X" / "call the copy X" names a file; it is not a phone call
            r"^\s*(please\s+)?(and\s+)?(phone|text|sms)\b",
            r"^\s*(please\s+)?(and\s+)?call\b"
            r"(?!\s+(it|them|this|that|the (copy|file|result|new one|output))\b)",
            r"\b(telefon et|sms at|mesaj at)\w*",
        ),
        "making calls or sending messages is not something altlas does",
    ),
    (
        "delete",
        (
            r"^\s*(please\s+)?(delete|remove|erase|wipe)\b",
            r"\b(sil|silin|temizle|kaldir)\w*\s*[.!?]*$",
        ),
        "deleting files is not something altlas does; delete them yourself, or run a plan "
        "with the files handler's delete operation (see docs/runner.md)",
    ),
    (
        "app",
        (
            r"\b(open|launch|start|run)\b.*\b(in|with)\s+(the\s+)?(browser|editor|word|excel|"
            r"chrome|firefox|safari|notepad|vs ?code)\b",
            r"\b(tarayici|editor|word|excel)\w*\s+(ile\s+)?ac\w*",
            r"\b(print|send)\b.*\b(printer|on paper|out on)\b",
            r"\byazici(ya|dan)\b",
        ),
        "opening other programs or printing on paper is not something altlas does",
    ),
    (
        "social",
        (
            r"\b(tweet|post (it |this )?on|share (it |this )?on)\b",
            rf"{_ACT}(post|tweet|share|upload)\b.*\b{_SERVICES}",
            rf"\b(send|forward|share|post)\b.*\b(on|via|over|to|through)\s+(our\s+|my\s+)?{_SERVICES}",
            rf"\b{_SERVICES}\w*\s+.*(gonder|paylas|yolla|at)\w*",
            r"\bpaylas(?!il)\w*",
        ),
        "posting to other services is not something altlas does",
    ),
)


_PARTS_OF_A_FILE = (
    r"\b(rows?|lines?|columns?|duplicates?|entries|records?|fields?|words?|spaces?|blanks?)\b",
    r"\b(satir\w*|sutun\w*|kolon\w*|tekrar\w*|kayit\w*|alan\w*|kelime\w*|bosluk\w*)",
)


_NAMING = re.compile(
    r"\bcall\s+(?:it|them|this|that|the\s+\w+(?:\s+\w+)?)\s+(?:as\s+)?['\"]?[\w./-]+\.\w{1,8}"
    r"['\"]?\s*[.!]?$"
)


def refusal(text: str) -> tuple[str, str] | None:
    """(kind, reason) when the words ask for something altlas does not do.

    Quoted text and text after a colon are what to write or find, not what to do ("append
    'buy milk' to todo.txt"), so they are left out of the match.
    """
    words = re.sub(r":\s.*$", "", _QUOTED.sub(" ", without_paths(text)), flags=re.DOTALL)
    for kind, patterns, reason in REFUSALS:
        if kind == "delete" and has_any(words, *_PARTS_OF_A_FILE):
            continue  # "remove the duplicate rows": an edit of a table, not a deletion
        if kind == "call" and _NAMING.search(folded(text)):
            continue  # "call the summary summary.md": a name for a file
        if has_any(words, *patterns):
            return kind, reason
    return None


_LANGUAGE_NAMES = {
    "ingilizce": "English", "almanca": "German", "fransizca": "French", "ispanyolca": "Spanish",
    "italyanca": "Italian", "turkce": "Turkish", "rusca": "Russian", "arapca": "Arabic",
    "cince": "Chinese", "japonca": "Japanese", "felemenkce": "Dutch", "hollandaca": "Dutch",
    "portekizce": "Portuguese", "yunanca": "Greek",
}  # fmt: skip


def _llm_ready() -> bool:
    from altlas.config import load_settings
    from altlas.llm.config import llm_settings

    try:
        return llm_settings(load_settings()).configured
    except Exception:  # a broken [llm] section reads as "not set up": the refusal says how
        return False


def _translation(text: str, ctx: GroundContext) -> Operation | None:
    """With an [llm] backend set up, a translation is an llm task over the named file."""
    language = re.search(rf"\b{_LANGUAGES}", folded(text))
    source = next((m for m in mentions(text) if existing(m, ctx)), None)
    if language is None or source is None or not _llm_ready():
        return None
    word = language.group(1)
    name = _LANGUAGE_NAMES.get(word, word.capitalize())
    prompt = f"Translate the text below into {name}. Reply with the translation only."
    return Operation("llm", {"prompt": prompt, "path": source}, f"translate into {name}", "text")


def ground_refuse(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    found = refusal(text)
    if found is None:
        return None
    kind, reason = found
    if kind == "translate":
        translated = _translation(text, ctx)
        if translated is not None:
            return translated
    return Operation("refuse", {"reason": reason, "kind": kind}, f"asks to {kind}")
