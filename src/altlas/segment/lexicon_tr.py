"""Turkish word lists and verb morphology.

Task verbs are listed as stems by type. Every stem is expanded into the forms a command uses:
the imperative (``aç``), the polite imperative (``açınız``) and the converbs that join two
actions (``açıp``, ``açarak``, ``açtıktan``, ``açınca``), following vowel harmony, the buffer
``y`` and consonant assimilation. Lookups accept text typed without diacritics (``ac``).
"""

from __future__ import annotations

from altlas.segment.text import fold, words

__all__ = [
    "ADJECTIVES",
    "COMPOUNDS",
    "FUNCTION_WORDS",
    "INTRANSITIVE",
    "LIGHT_DEFAULTS",
    "LIGHT_VERBS",
    "MODIFIERS",
    "NON_ACTION_CONVERBS",
    "STEM_TYPES",
    "VerbForm",
    "is_exact",
    "lookup_form",
]

_SPEC = {
    "search": "ara bul araştır sorgula tara listele öğren bak keşfet sor getir söyle",
    "create": """oluştur yaz hazırla üret tasarla çiz yarat geliştir kodla taslakla
        görselleştir kurgula öner besteler modelle betimle""",
    "analyze": """incele değerlendir karşılaştır ölç hesapla belirle doğrula profille topla
        denetle yorumla çözümle kıyasla gözlemle sına puanla derecelendir önceliklendir sapta
        tartış say""",
    "open": "aç başlat göster görüntüle yükle git gir oynat izle dinle oku çal",
    "transform": """dönüştür çevir biçimlendir düzenle düzelt sırala filtrele birleştir
        sıkıştır kırp boyutlandır doldur değiştir ayıkla temizle ayır böl çıkar grupla
        etiketle işaretle vurgula renklendir şifrele uyarla adlandır numaralandır hizala ekle
        parçala formatla yuvarla döndür büyüt küçült netleştir iyileştir sadeleştir
        basitleştir yerelleştir standartlaştır tekilleştir arındır dök kategorize kes
        sınıflandır bulanıklaştır onar yerleştir çıkart uzat maskele anonimleştir
        normalleştir yumuşat tamamla özelleştir""",
    "execute": """çalıştır yürüt uygula kur gönder ilet paylaş sil yedekle indir iliştir taşı
        kopyala aktar yazdır dağıt çek derle durdur kapat sıfırla güncelle yükselt kaydet
        bildir yayınla kaldır sonlandır duraklat klonla etkinleştir aktifleştir engelle öde
        yanıtla cevapla bağla kilitle boşalt yenile eşitle arşivle onayla genişlet postala
        sakla depola yolla sürdür kurtar çoğalt bağlan pasifleştir sustur reddet öldür beğen
        sabitle dondur et yap ver al bırak geçir at koy ol""",
    "summarize": "özetle kısalt toparla",
    "schedule": "planla ayarla hatırlat ertele zamanla programla ayırt",
}

STEM_TYPES: dict[str, str] = {}
for _type, _words in _SPEC.items():
    for _w in _words.split():
        STEM_TYPES.setdefault(_w, _type)

# Verbs that form a compound with the word before them ("analiz et", "haber ver").
LIGHT_VERBS = frozenset(words("et yap ver al çıkar getir bırak geçir at dök koy ol ekle ayır kur"))

# (light verb, prefix of the word before it) -> type. Prefixes are folded (no diacritics).
COMPOUNDS: dict[str, list[tuple[str, str]]] = {
    "et": [
        ("analiz", "analyze"),
        ("kontrol", "analyze"),
        ("tespit", "analyze"),
        ("test", "analyze"),
        ("tahmin", "analyze"),
        ("takip", "analyze"),
        ("teyit", "analyze"),
        ("kiyas", "analyze"),
        ("hesap", "analyze"),
        ("muayene", "analyze"),
        ("tercume", "transform"),
        ("kategorize", "transform"),
        ("optimize", "transform"),
        ("revize", "transform"),
        ("redakte", "transform"),
        ("organize", "schedule"),
        ("rezerve", "schedule"),
        ("davet", "execute"),
        ("iptal", "execute"),
        ("ziyaret", "open"),
        ("transfer", "execute"),
        ("entegre", "execute"),
        ("senkronize", "execute"),
        ("devam", "execute"),
        ("not", "create"),
        ("kayit", "execute"),
        ("tweet", "execute"),
        ("mail", "execute"),
        ("arsiv", "execute"),
        ("listele", "search"),
        ("sikistir", "transform"),
        ("teshis", "analyze"),
        ("iade", "execute"),
        ("kopya", "execute"),
    ],
    "yap": [
        ("rezervasyon", "schedule"),
        ("analiz", "analyze"),
        ("arama", "search"),
        ("arastirma", "search"),
        ("hesaplama", "analyze"),
        ("kontrol", "analyze"),
        ("yedek", "execute"),
        ("guncelleme", "execute"),
        ("kurulum", "execute"),
        ("ceviri", "transform"),
        ("duzenleme", "transform"),
        ("toplanti", "schedule"),
        ("plan", "schedule"),
        ("liste", "create"),
        ("ozet", "summarize"),
        ("sunum", "create"),
        ("test", "analyze"),
        ("karsilastirma", "analyze"),
        ("degerlendirme", "analyze"),
        ("odeme", "execute"),
        ("paylasim", "execute"),
        ("siparis", "execute"),
        ("temizlik", "execute"),
        ("yayin", "execute"),
        ("randevu", "schedule"),
    ],
    "ver": [
        ("haber", "execute"),
        ("bilgi", "execute"),
        ("siparis", "execute"),
        ("cevap", "execute"),
        ("yanit", "execute"),
        ("izin", "execute"),
        ("karar", "analyze"),
        ("ara", "execute"),
        ("mola", "execute"),
    ],
    "al": [
        ("randevu", "schedule"),
        ("not", "create"),
        ("yedek", "execute"),
        ("bilet", "schedule"),
        ("satin", "execute"),
        ("geri", "execute"),
        ("yayin", "execute"),
        ("ortalama", "analyze"),
        ("ekran", "execute"),
        ("goruntu", "execute"),
        ("ozet", "summarize"),
        ("one", "schedule"),
        ("sessiz", "execute"),
    ],
    "cikar": [
        ("ozet", "summarize"),
        ("liste", "create"),
        ("rapor", "create"),
        ("arsiv", "transform"),
        ("hatlar", "summarize"),
    ],
    "getir": [
        ("hale", "transform"),
        ("bicim", "transform"),
        ("form", "transform"),
        ("sira", "transform"),
        ("duzen", "transform"),
        ("kivam", "transform"),
    ],
    "birak": [("disi", "execute")],
    "gecir": [("gozden", "analyze"), ("hayata", "execute")],
    "at": [
        ("e-posta", "execute"),
        ("eposta", "execute"),
        ("mail", "execute"),
        ("mesaj", "execute"),
        ("goz", "open"),
        ("tweet", "execute"),
        ("imza", "execute"),
    ],
    "dok": [("yazi", "transform"), ("metn", "transform"), ("grafi", "create"), ("tablo", "create")],
    "koy": [("sira", "transform")],
    "ol": [("abone", "execute"), ("emin", "analyze")],
    "ekle": [("takvim", "schedule"), ("ajanda", "schedule")],
    "ayir": [("yer", "schedule"), ("masa", "schedule"), ("zaman", "schedule")],
    "ac": [("yer", "execute")],
    "kur": [
        ("alarm", "schedule"),
        ("hatirlatici", "schedule"),
        ("hatirlatma", "schedule"),
        ("zamanlayici", "schedule"),
        ("toplanti", "schedule"),
    ],
}

# Type of a light verb after a noun that is not in COMPOUNDS ("dikkat et", "bir tablo yap").
LIGHT_DEFAULTS = {
    "et": "execute",
    "yap": "create",
    "ver": "execute",
    "at": "execute",
    "koy": "execute",
    "bırak": "execute",
    "geçir": "execute",
}

# A word before a verb that changes its type ("yeniden başlat" is execute, "yeniden yaz" transform).
MODIFIERS: dict[tuple[str, str], str] = {
    ("yeniden", "başlat"): "execute",
    ("tekrar", "başlat"): "execute",
    ("yeniden", "yaz"): "transform",
    ("tekrar", "yaz"): "transform",
    ("geri", "yükle"): "execute",
    ("geri", "al"): "execute",
    ("geri", "döndür"): "execute",
    ("dışa", "aktar"): "execute",
    ("içe", "aktar"): "execute",
    ("yeniden", "yükle"): "execute",
    ("tekrar", "yükle"): "execute",
}

# -arak/-ip forms of these stems are manners, not actions ("Python kullanarak", "örneğe bakarak").
NON_ACTION_CONVERBS = frozenset(["bak", "ol"])

# Verbs whose object may not be left out to point back at an earlier result.
INTRANSITIVE = frozenset(words("bak git gir ol ver al at"))

ADJECTIVES = frozenset(
    fold(w)
    for w in words(
        """eksik önemli yeni eski son ilk aylık yıllık haftalık günlük toplam boş tüm bütün ana
temel genel kısa uzun büyük küçük en iyi kötü yüksek düşük güncel mevcut gerekli olası
farklı benzer ortak kritik hatalı fazla kalan ilgili her bu şu o iki üç dört beş altı
yedi sekiz dokuz on bir birkaç bazı çok az diğer öteki aynı hangi tek çift ortalama
detaylı ayrıntılı kaba net brüt resmi özel yerel uluslararası yabancı açık kapalı aktif
pasif geçerli geçersiz harici dahili milli askeri tarihi siyasi ticari idari mali hukuki
tıbbi fiziki kimyasal sanal gerçek kişisel genel özel ilgili yeterli hızlı yavaş basit
karmaşık güvenli güvensiz ücretsiz pahalı ucuz kırık bozuk temiz kirli sıcak soğuk gizli""",
    )
)

FUNCTION_WORDS = frozenset(
    fold(w)
    for w in words(
        """ve veya ile için bu şu bir da de ki mi mı mu mü ne nasıl neden nerede hangi kaç gibi
kadar göre sonra önce ardından ayrıca daha en çok her tüm bütün lütfen olarak üzerinden
hakkında yarın bugün şimdi içinde saat gün hafta ay yıl akşam sabah öğlen gece bana beni
benim bunu bunları onu onları şunu yeni eski son ilk tek iki üç olan diye ise değil var
yok hem ya ya da""",
    )
)


class VerbForm:
    """A surface form of a task verb: its stem, type and form name."""

    __slots__ = ("form", "stem", "type")

    def __init__(self, stem: str, form: str) -> None:
        self.stem = stem
        self.form = form
        self.type = STEM_TYPES[stem]

    def __repr__(self) -> str:
        return f"VerbForm({self.stem!r}, {self.form!r})"


_VOWELS = "aeıioöuü"
_VOICELESS = "çfhkpsşt"
_VOICING = frozenset(words("et git kaydet reddet hallet affet seyret terket"))


def _last_vowel(stem: str) -> str:
    for ch in reversed(stem):
        if ch in _VOWELS:
            return ch
    return "e"


def _forms(stem: str) -> dict[str, str]:
    v = _last_vowel(stem)
    big_i = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[v]
    big_a = "a" if v in "aıou" else "e"
    ends_vowel = stem[-1] in _VOWELS
    base = stem[:-1] + "d" if stem in _VOICING else stem
    buf = "y" if ends_vowel else ""
    d = "t" if stem[-1] in _VOICELESS else "d"
    return {
        "imp": stem,
        "polite": f"{base}{buf}{big_i}n{big_i}z",
        "ip": f"{base}{buf}{big_i}p",
        "arak": f"{base}{buf}{big_a}r{big_a}k",
        "dik": f"{stem}{d}{big_i}kt{big_a}n",
        "ince": f"{base}{buf}{big_i}nc{big_a}",
    }


_SURFACE: dict[str, VerbForm] = {}
_FOLDED: dict[str, VerbForm | None] = {}
for _stem in STEM_TYPES:
    for _form, _text in _forms(_stem).items():
        _SURFACE.setdefault(_text, VerbForm(_stem, _form))
for _text, _vf in _SURFACE.items():
    _key = fold(_text)
    # a folded spelling shared by two different verbs is no evidence for either
    if _key in _FOLDED and _FOLDED[_key] is not None and _FOLDED[_key].stem != _vf.stem:  # type: ignore[union-attr]
        _FOLDED[_key] = None
    else:
        _FOLDED.setdefault(_key, _vf)


def is_exact(low: str) -> bool:
    """Whether ``low`` is a verb form spelled with its diacritics."""
    return low in _SURFACE


def lookup_form(low: str, folded: str, allow_folded: bool = True) -> VerbForm | None:
    """The verb form spelled ``low`` (Turkish-lowercased), else the one folding to ``folded``.

    ``allow_folded=False`` when the command is written with diacritics: then "dondur" is
    "dondur" (freeze), not "döndür" typed without its dots.
    """
    found = _SURFACE.get(low)
    if found is not None or not allow_folded:
        return found
    return _FOLDED.get(folded)
