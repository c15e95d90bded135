"""Task types: the main verb's type, corrected by its object where the guideline says so.

"check the weather" is search but "check the logs" analyze; "set an alarm" is schedule but "set
the thermostat" execute; "yükle" is execute with a destination ("siteye yükle") and open without.
"""

from __future__ import annotations

import re

from altlas.segment.refs_tr import tr_elided
from altlas.segment.segments import Segment
from altlas.segment.text import Token, fold
from altlas.segment.when import _DAYS_TR, _MONTHS_TR

__all__ = ["inherit_check", "refine_type"]


def _words(spec: str) -> frozenset[str]:
    return frozenset(fold(w) for w in spec.split())


_EXTERNAL_EN = _words(
    """weather forecast temperature news headline headlines price prices pricing rate rates
    exchange stock stocks market hours opening open traffic score scores flight flights train
    trains bus availability available menu reviews ratings distance population air tickets
    ticket fare fares holiday holidays status delivery shipment package parcel tracking
    schedules timetable time sunrise sunset tide humidity rain snow quote quotes""",
)
_EXTERNAL_TR = (
    "hava",
    "tahmin",
    "haber",
    "fiyat",
    "kur",
    "doviz",
    "borsa",
    "hisse",
    "saat",
    "acik",
    "trafik",
    "skor",
    "mac",
    "ucus",
    "tren",
    "otobus",
    "kargo",
    "siparis",
    "menu",
    "yorum",
    "puan",
    "mesafe",
    "nufus",
    "sicaklik",
    "bilet",
    "musait",
    "durum",
    "tatil",
)
_SERVICE = _words(
    """service services server servers nginx apache daemon container containers docker
    database db process job jobs pipeline vm instance instances cluster backup deployment
    worker workers cron redis postgres postgresql mysql mongodb kubernetes pod pods engine
    sync download upload recording migration again build runner agent""",
)
_SERVICE_TR = (
    "servis",
    "sunucu",
    "server",
    "nginx",
    "docker",
    "konteyner",
    "veritaban",
    "islem",
    "surec",
    "yedekleme",
    "senkron",
    "test",
    "kayit",
    "calisma",
    "uygulama sunucu",
)
_EVENT_EN = _words(
    """meeting meetings call calls appointment appointments event events interview session
    review sync standup stand-up lunch dinner breakfast demo webinar reminder reminders alarm
    alarms timer timers one-on-one 1:1 catch-up date party conference workshop calendar
    agenda reservation booking offsite retro retrospective class lesson""",
)
_EVENT_TR = (
    "toplanti",
    "gorusme",
    "randevu",
    "etkinlik",
    "bulusma",
    "yemek",
    "alarm",
    "hatirlat",
    "takvim",
    "saat",
    "yarin",
    "bugun",
    "aksam",
    "sabah",
    "ogle",
    "gece",
    *_DAYS_TR,
    "hafta",
    *_MONTHS_TR,
    "ders",
    "seans",
    "ziyaret",
    "davet",
    "parti",
    "kutlama",
    "gun",
)
_SOFTWARE_EN = _words(
    """package packages app apps system software dependencies
    dependency driver drivers firmware plugin plugins library libraries npm pip brew kernel
    node python java version sdk cli docker image browser chrome windows macos ios android
    ubuntu linux os security mediawiki wordpress""",
)
_SOFTWARE_TR = (
    "paket",
    "uygulama",
    "sistem",
    "yazilim",
    "surucu",
    "eklenti",
    "kutuphane",
    "bagimlilik",
    "surum",
    "versiyon",
    "isletim",
    "guvenlik",
    "npm",
    "pip",
    "docker",
    "python",
    "node",
    "java",
    "sunucu",
    "cekirdek",
    "tarayici",
    "program",
)
_DEVICE_TR = ("isik", "lamba", "klima", "kombi", "televizyon", "tv", "isitici", "fan", "perde")
_CACHE = ("onbelle", "cache", "cop", "gecmis", "gecici", "temp", "tmp", "disk")
_BUILD_SOFTWARE = _words("project app application solution code binary package image release")
_VERSION = re.compile(r"^(?:v?\d+(?:\.\d+)+|v\d+)$")
_DATIVE = re.compile(r"(?:'(?:y?[ae]|n[ae])|(?:[ıiuü]n[ae])|y[ae]|(?<=[^aeıioöuü])[ae])$")


def _object(tokens: list[Token], seg: Segment, lang: str) -> list[Token]:
    if seg.verb is None:
        return tokens[seg.first : seg.last + 1]
    if lang == "en":
        return tokens[seg.verb + 1 : seg.last + 1]
    first = seg.verb_first if seg.verb_first is not None else seg.verb
    return tokens[seg.first : first]


def _has(folds: list[str], words: frozenset[str]) -> bool:
    return any(f in words for f in folds)


def _has_prefix(folds: list[str], prefixes: tuple[str, ...]) -> bool:
    return any(f.startswith(prefixes) for f in folds)


def _refine_en(key: str, vtype: str, obj: list[Token]) -> str:
    folds = [t.fold for t in obj]
    head = key.split()[0]
    if head == "check":
        return "search" if _has(folds, _EXTERNAL_EN) else "analyze"
    if head == "start":
        if _has(folds, _words("timer timers stopwatch")):
            return "schedule"
        return "execute" if _has(folds, _SERVICE) else "open"
    if head == "build":
        owned = folds[:1] and folds[0] in ("the", "our", "my", "this")
        return "execute" if owned and _has(folds[:4], _BUILD_SOFTWARE) else "create"
    if head == "add":
        return "schedule" if _has(folds, _CALENDAR_EN) else "transform"
    if head in ("set", "organize", "organise", "arrange", "cancel", "move", "push"):
        if _has(folds, _EVENT_EN):
            return "schedule"
        if head in ("organize", "organise", "arrange"):
            return "transform"
        return vtype
    if head == "export":
        return "transform" if _has(folds, _FORMAT_WORDS) else "execute"
    if head == "compile":
        return "execute" if _has(folds, _SOFTWARE_EN | _BUILD_SOFTWARE) else "create"
    if head == "block":
        calendarish = _has(folds, _EVENT_EN | _words("time slot hour hours morning afternoon day"))
        dated = any(t.text[:1].isdigit() or t.fold in _MONTHS_EN or t.fold in _DAYS_EN for t in obj)
        return "schedule" if calendarish or dated else "execute"
    if head == "update":
        software = _has(folds, _SOFTWARE_EN) or any(_VERSION.match(f) for f in folds)
        named = any(t.upper and not t.text.isupper() for t in obj[:3])
        return "execute" if software or named else "transform"
    if head in ("make", "create") and _has(
        folds, _words("reservation booking appointment reminder alarm")
    ):
        return "schedule"
    if head == "tell" and folds[:1] and folds[0] not in ("me", "us"):
        # "tell me the time" asks for facts; "tell Ayşe about it" notifies someone
        return "execute"
    if head == "turn" and key == "turn" and "into" in folds:
        return "transform"
    if head == "load" and "into" in folds:
        return "execute"
    if head == "clean" and _has_prefix(folds, _CACHE):
        return "execute"
    return vtype


_CHANNELS_TR = ("kanal", "slack", "teams", "discord", "grup", "sohbet", "forum", "duvar")


def _posted(obj: list[Token]) -> bool:
    """ "sonucu #ci kanalına yaz": writing something made to a channel posts it (execute);
    "Slack'e kısa bir duyuru yaz" composes new text there (create)."""
    if any(t.fold == "bir" for t in obj):
        return False
    return any(
        t.kind == "word" and t.fold.startswith(_CHANNELS_TR) and _DATIVE.search(t.low) for t in obj
    )


def _refine_tr(key: str, vtype: str, obj: list[Token], seg_tokens: list[Token]) -> str:
    folds = [t.fold for t in obj]
    stem = fold(key.split()[-1])
    if key.endswith("kontrol et") or stem == "kontrol":
        return "search" if _has_prefix(folds, _EXTERNAL_TR) else "analyze"
    if stem == "baslat" and " " not in key:
        return "execute" if _has_prefix(folds, _SERVICE_TR) else "open"
    if stem == "yukle" and " " not in key:
        dative = any(t.kind == "word" and _DATIVE.search(t.low) for t in obj)
        return "execute" if dative else "open"
    if stem == "ayarla":
        timed = _has_prefix(folds, _EVENT_TR) or any(
            t.text[:1].isdigit() and ("'" in t.text or ":" in t.text) for t in obj
        )
        return "schedule" if timed else "execute"
    if stem == "tasi" and _has_prefix(folds, ("toplanti", "gorusme", "randevu", "etkinlik")):
        return "schedule"
    if stem == "yaz" and " " not in key and _posted(obj):
        return "execute"
    if stem == "guncelle":
        return "execute" if _has_prefix(folds, _SOFTWARE_TR) else "transform"
    if stem == "temizle":
        return "execute" if _has_prefix(folds, _CACHE) else "transform"
    if stem in ("ac", "kapat") and _has_prefix(folds, _DEVICE_TR):
        return "execute"
    if key.endswith("iptal et") and _has_prefix(
        folds, ("toplanti", "gorusme", "randevu", "rezervasyon", "etkinlik")
    ):
        return "schedule"
    return vtype


_MONTHS_EN = _words(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""",
)
_DAYS_EN = _words("monday tuesday wednesday thursday friday saturday sunday")
_CALENDAR_EN = _words("calendar calendars agenda schedule planner diary")
_FORMAT_WORDS = _words(
    "pdf csv json xml html markdown docx xlsx pptx png jpg jpeg svg mp3 mp4 zip txt excel word",
)


def refine_type(tokens: list[Token], seg: Segment, lang: str) -> None:
    """Correct ``seg.type`` from its object; a corrected type costs a little confidence."""
    if seg.verb is None:
        return
    obj = _object(tokens, seg, lang)
    if lang == "en":
        new = _refine_en(seg.verb_key, seg.type, obj)
    else:
        new = _refine_tr(seg.verb_key, seg.type, obj, tokens[seg.first : seg.last + 1])
    if new != seg.type:
        seg.type = new
        seg.confidence = round(max(0.5, seg.confidence - 0.05), 3)


def inherit_check(tokens: list[Token], segs: list[Segment], lang: str) -> None:
    """A check with no object of its own repeats the search before it.

    "hava durumuna bak, ardından Ankara için de kontrol et", "check the weather, then check
    for Izmir too": the checked thing is the external fact just searched for.
    """
    for i in range(1, len(segs)):
        seg, prev = segs[i], segs[i - 1]
        if seg.verb is None or seg.type != "analyze" or prev.type != "search":
            continue
        key = fold(seg.verb_key)
        if lang == "tr" and key.endswith("kontrol et"):
            objectless = tr_elided(tokens, seg)
        elif lang == "en" and key == "check":
            rest = [t.fold for t in tokens[seg.verb + 1 : seg.last + 1] if t.kind == "word"]
            objectless = not rest or rest[0] in ("for", "too", "also", "again")
        else:
            continue
        if objectless:
            seg.type = "search"
            seg.confidence = round(max(0.5, seg.confidence - 0.1), 3)
