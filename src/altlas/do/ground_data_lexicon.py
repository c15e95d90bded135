"""The English and Turkish words (folded, as ``phrase_at`` reads them) that choose query steps.

A trailing ``*`` matches any ending ("sirala*" is sırala, sıralayıp, sıralanmış).
"""

from __future__ import annotations


def _p(phrases: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in phrases.split("|"))


SORT_VERBS = _p(
    "sort* | order | ordered | ordering | arrange* | rank | ranked | sirala* | sirali* |siralanmis*"
)
DESC = _p(
    "most expensive first | priciest first | most first | the most first | newest on top |"
    "z to a | from z to a | z a | reverse alphabetical* | pahalidan ucuza | en pahalidan |"
    "desc | descending | decreasing | highest to lowest | largest to smallest |"
    "biggest to smallest | most to least | high to low | newest to oldest | newest first |"
    "latest first | most recent first | highest first | largest first | biggest first |"
    "reverse | in reverse | azalan | azalarak | buyukten kucuge | coktan aza |"
    "yuksekten dusuge | fazladan aza | yeniden eskiye | en yeniden en eskiye | tersten |"
    "en buyukten | en yuksekten | en coktan"
)
ASC = _p(
    "cheapest first | least expensive first | least first | the least first | earliest first |"
    "alphabetical* | a to z | from a to z | a z | ucuzdan pahaliya | en ucuzdan | alfabetik* |"
    "asc | ascending | increasing | lowest to highest | smallest to largest | least to most |"
    "low to high | oldest to newest | oldest first | lowest first | smallest first | artan |"
    "artarak | kucukten buyuge | azdan coga | dusukten yuksege | eskiden yeniye | en eskiden"
)
BY = _p("by | on | according to | using")
GORE = _p("gore")
COLUMN_NOUNS = _p(
    "column | columns | field | fields | sutun* | kolon* | alan | alanlar* | alani* | degeri* |"
    "degerin* | sayisi* | miktari*"
    " | seviye* | duzey* | miktar* | adedi* | orani* | tutari*"
)
TOP = _p("top | highest | largest | biggest | best | most | greatest | first")
BOTTOM = _p("bottom | lowest | smallest | least | fewest | worst | last")
TR_TOP = _p("en yuksek | en cok | en fazla | en buyuk | en iyi | ilk")
TR_BOTTOM = _p("en dusuk | en az | en kucuk | en kotu | son")
AGG: dict[str, tuple[str, ...]] = {
    "sum": _p("total | totals | sum | summed | toplam* | topla*"),
    "mean": _p("average | avg | mean | ortalama*"),
    "count": _p("count | counts | number of | how many | kac | sayisi | sayisini | say | sayin"),
    "min": _p("minimum | min | smallest | en dusuk | en az | en kucuk"),
    "max": _p("maximum | max | largest | en yuksek | en buyuk"),
    "median": _p("median | medyan*"),
}
KEY_BEFORE = _p(
    "per | by | for each | for every | each | every | in each | grouped by | group by | her |"
    "for each of the | for all"
)
KEY_AFTER = _p("basina | bazinda | gore | icin")
MONTH = _p("month | months | monthly | ay | aylik | aya | ayin | aylar* | ayda | aylik")
YEAR = _p("year | years | yearly | annual | annually | yil | yillik | yila | yilin")
MONTHLY = _p("monthly | aylik | ay bazinda")
YEARLY = _p("yearly | annual | annually | yillik")
ARITH_WORDS = {
    "times": "*",
    "carpi": "*",
    "x": "*",
    "×": "*",
    "*": "*",
    "+": "+",
    "plus": "+",
    "arti": "+",
    "/": "/",
    "minus": "-",
    "eksi": "-",
}
DERIVED_NAMES = _p("revenue | total | cost | amount | profit | value")
WHICH = _p("which | what | hangi | hangisi*")
SUPER_DESC = _p(
    "the most | most | the highest | highest | the largest | largest | the biggest | biggest |"
    "the best | best | top | en yuksek | en cok | en fazla | en buyuk | en iyi"
)
SUPER_ASC = _p(
    "the least | least | the lowest | lowest | the fewest | fewest | the smallest | smallest |"
    "worst | en dusuk | en az | en kucuk | en kotu"
)
DEDUPE = _p(
    "duplicate* | dedup* | deduplicate* | distinct | unique rows | tekrarlanan* |"
    "tekrar eden* | tekrarlari* | tekrarli* | yinelenen* | mukerrer* | benzersiz*"
)
COUNT = _p(
    "how many | count | number of | kac | kac tane | say | sayisi | sayisini | satir sayisi |"
    "kayit sayisi | sayar misin"
)
SELECT_CUES = _p("select | only | just | keep | sadece | yalnizca | yalniz | sec*")
JOINERS = _p("and | , | ve | ile | & | or")

# comparisons: English words come before the right-hand side ("stock below 20"), Turkish
# words after it ("20'nin altında", "20'den fazla").
EN_INFIX: dict[str, tuple[str, ...]] = {
    ">=": _p("at least | no less than | no fewer than | a minimum of | since | >= | ≥"),
    "<=": _p("at most | no more than | up to | a maximum of | until | <= | ≤"),
    "!=": _p("not equal to | different from | != | <>"),
    ">": _p(
        "more than | greater than | higher than | larger than | bigger than | over | above |"
        "more expensive than | pricier than | costlier than |"
        "exceeds | exceeding | exceed | after | later than | >"
    ),
    "<": _p(
        "less than | fewer than | lower than | smaller than | below | under | beneath |"
        "cheaper than | less expensive than |"
        "before | earlier than | <"
    ),
    "==": _p("equal to | equals | exactly | == | ="),
}
EN_POSTFIX: dict[str, tuple[str, ...]] = {
    ">=": _p("or more | or above | or higher | or greater | and above | and up | or over"),
    "<=": _p("or less | or fewer | or below | or lower | and below | and under"),
}
TR_POSTFIX: dict[str, tuple[str, ...]] = {
    ">=": _p("ve uzeri* | ve ustu* | veya daha fazla | ya da daha fazla | ve daha fazla"),
    "<=": _p("ve alti* | veya daha az | ya da daha az | ve daha az"),
    "<": _p(
        "altin* | alti | daha az | az | daha kucuk | kucuk* | daha dusuk | dusuk* | asagi* |"
        "once* | eksik* | ucuz*"
    ),
    ">": _p(
        "ustun* | uzerin* | daha fazla | fazla* | daha buyuk | buyuk* | daha yuksek | yuksek* |"
        "daha cok | cok | sonra* | gecen* | asan* | pahali*"
    ),
    "==": _p("esit*"),
}
TR_NEEDS_ABLATIVE = _p(
    "az | kucuk | dusuk | fazla | buyuk | yuksek | cok | once | sonra | gecen | asan | eksik |"
    "ucuz | pahali"
)
ABLATIVE = _p("den | dan | ten | tan")
TR_PREFIX: dict[str, tuple[str, ...]] = {
    ">=": _p("en az"),
    "<=": _p("en fazla | en cok"),
}
SKIP_RHS = _p("the | their | its | his | her | a | an | than | of | that | is | to")
NEGATE_BEFORE = _p("not | except | excluding | other than | without | non | but not")
NEGATE_AFTER = _p("disinda* | haric* | olmayan* | degil* | disi*")
IS = _p("is | are | equals | = | == | was | of")
ZERO_WORDS = _p("no")
# comparisons whose left-hand side, when unnamed, is the price column
PRICE_WORDS = _p(
    "cheaper than | less expensive than | more expensive than | pricier than | costlier than |"
    "ucuz* | pahali*"
)
BETWEEN_EN = _p("between")
BETWEEN_TR = _p("arasinda* | arasi | arasindaki*")
# superlatives that name their own column: a price, or the table's date ("@date")
RANKED_BY: dict[str, tuple[str, bool]] = {
    "most recent": ("@date", True),
    "newest": ("@date", True),
    "latest": ("@date", True),
    "oldest": ("@date", False),
    "earliest": ("@date", False),
    "en yeni": ("@date", True),
    "en son": ("@date", True),
    "en eski": ("@date", False),
    "cheapest": ("price", False),
    "most expensive": ("price", True),
    "priciest": ("price", True),
    "en ucuz": ("price", False),
    "en pahali": ("price", True),
}
DISTINCT_OF = _p("unique | distinct | different | farkli | benzersiz | tekil")
DROP = _p(
    "drop | remove | delete | exclude | excluding | without | omit | cikar* | kaldir* | sil |"
    "silin* | haric*"
)
COLUMN_WORDS = _p("column | columns | field | fields | sutun* | kolon* | alan | alanlar* | alani*")
# "which product sold the most": the quantity column is the measure
SOLD = ("sold", "sell", "selling", "satan", "satil", "satis", "satmis", "satt")
# "remove the rows where …": the filter says which rows go, so the query keeps the others
REMOVE_ROWS = _p(
    "remove* | delete* | drop* | discard* | filter out | get rid of | sil | silin* | cikar* |"
    "kaldir*"
)
# "items that need reordering": stock at or below the reorder level
REORDER = _p(
    "reorder | reordering | reordered | restock* | needs restocking | siparis verilmesi |"
    "siparis edilmesi | siparis gereken | siparis gerektiren"
)
WRITE_VERBS = _p("write | save | export | store | put | yaz* | kaydet*")
SHOW = _p(
    "show | display | print | list | read | load | view | see | goster* | listele* | oku* |"
    "getir* | gor*"
)
TABLE_WORDS = _p(
    "rows | row | records | contents | content | everything | all of it | table | data | file |"
    "me | please | whole | entire | icerik* | tum* | hepsi* | satir* | kayit* | tablo* | dosya* |"
    "lutfen | bana | bütün | butun | what | is | in | ne | neler | var"
)
GROUP_VERBS = _p("group | grupla*")
DAY = _p("day | days | daily | gun | gunluk | gune | gunun | gunler*")
DAILY = _p("daily | gunluk | gun bazinda")
