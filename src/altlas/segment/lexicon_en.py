"""English word lists: task verbs by type, phrasal verbs, markers and function words.

Verbs are base forms (imperatives). A verb's type can be refined by its object; those rules
live in :mod:`altlas.segment.tasktype`.
"""

from __future__ import annotations

from altlas.segment.text import words

__all__ = [
    "AMBIGUOUS",
    "DETERMINERS",
    "EVIDENCE_WORDS",
    "FUNCTION_WORDS",
    "LEAD_SKIP",
    "PARTICLES",
    "PARTICLE_ONLY",
    "PHRASAL",
    "PREPOSITIONS",
    "PRONOUNS",
    "QUESTION_WORDS",
    "VERBS",
]


def _table(spec: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ttype, names in spec.items():
        for word in names.split():
            out.setdefault(word, ttype)
    return out


VERBS: dict[str, str] = _table(
    {
        "search": """find search research list browse google locate discover fetch get query seek
            hunt retrieve gather collect track lookup tell scout source learn shop explore grab
            research""",
        "create": """create write draft make generate build prepare design compose plot chart draw
            sketch produce develop author craft construct assemble invent brainstorm propose
            suggest recommend visualize visualise illustrate paint diagram record film jot code
            program implement type mock storyboard formulate scaffold wireframe prototype pen
            narrate caption doodle render animate recreate compile""",
        "analyze": """analyze analyse examine compare evaluate review inspect measure calculate
            compute total count identify verify validate profile benchmark assess audit
            investigate study test diagnose estimate forecast predict determine detect spot
            monitor proofread scan grade rate quantify average tally score correlate debug
            troubleshoot interpret explain cross-check double-check fact-check lint weigh
            simulate check observe rank trace diff reconcile triage prioritize prioritise vet
            screen confirm ensure spellcheck probe cluster""",
        "open": """open launch show view display load visit access preview play watch read
            reopen navigate listen stream""",
        "transform": """convert translate reformat format rename resize crop edit fix rewrite sort
            filter merge compress zip unzip extract decompress transcribe fill deduplicate dedupe
            clean normalize normalise redact anonymize anonymise encrypt decrypt rotate trim
            split combine join transpose reorder rearrange restructure refactor paraphrase
            correct adjust tweak modify change highlight annotate capitalize uppercase lowercase
            indent colorize blur sharpen mask stitch tag label categorize categorise group
            classify tidy simplify localize localise transliterate encode decode parse flatten
            reshape pivot resample upscale downscale minify beautify prettify sanitize replace
            insert append strip swap invert flip mirror polish expand lengthen rephrase reword
            retouch enhance brighten darken recolor watermark subtitle renumber concatenate
            cut clip slice revise amend transcode dub add organize organise mark port optimize
            optimise improve refine rework restyle reorganize reorganise align center scale
            splice denoise elaborate complete finish adapt customize personalize repair scrub
            censor pixelate straighten stabilize untar dedup bucket prepend substitute shuffle
            randomize exclude drop bold italicize underline wrap hash stamp populate flag""",
        "execute": """run execute install uninstall reinstall deploy redeploy send resend email mail
            forward share post publish submit upload download attach delete remove erase wipe
            purge clear empty backup restart reboot stop kill terminate pause resume migrate move
            copy print clone pull commit push import export invite notify alert save store
            archive update upgrade downgrade revert restore switch set enable disable activate
            deactivate mute unmute lock unlock start trigger sync synchronize mount unmount
            compile rebuild recompile message text tweet reply respond transfer pay order buy
            purchase renew register approve reject close quit exit connect disconnect subscribe
            unsubscribe follow unfollow block ban assign reassign apply provision reset refresh
            reload flush grant revoke extend shrink cancel accept decline release ship call dial
            ping rollback patch retry rerun re-run queue dispatch deliver fax broadcast announce
            shut power kick log sign back turn empty bookmark star pin like favorite configure
            setup initialize init boot suspend hibernate wake dim vacuum ring dm report rebase
            stash promote allocate delegate escalate resolve dismiss unarchive recover
            replicate seed dump eject pair unpair photocopy withdraw deposit refund charge
            enroll vote donate duplicate reindex kill""",
        "summarize": """summarize summarise outline condense shorten abridge recap digest distill
            distil tldr sum brief""",
        "schedule": """schedule reschedule book reserve remind plan arrange postpone defer delay
            snooze rebook rsvp""",
    },
)

# (verb, particle) -> type; the particle belongs to the verb ("look up", "back up").
PHRASAL: dict[tuple[str, str], str] = {
    ("look", "up"): "search",
    ("look", "for"): "search",
    ("look", "at"): "analyze",
    ("look", "into"): "analyze",
    ("look", "over"): "analyze",
    ("find", "out"): "search",
    ("check", "out"): "search",
    ("sum", "up"): "summarize",
    ("boil", "down"): "summarize",
    ("cut", "down"): "summarize",
    ("back", "up"): "execute",
    ("set", "up"): "execute",
    ("write", "up"): "create",
    ("write", "down"): "create",
    ("jot", "down"): "create",
    ("note", "down"): "create",
    ("draw", "up"): "create",
    ("mock", "up"): "create",
    ("type", "up"): "create",
    ("put", "together"): "create",
    ("come", "up"): "create",
    ("pull", "up"): "open",
    ("bring", "up"): "open",
    ("go", "to"): "open",
    ("navigate", "to"): "open",
    ("switch", "to"): "open",
    ("go", "over"): "analyze",
    ("go", "through"): "analyze",
    ("dig", "into"): "analyze",
    ("break", "down"): "analyze",
    ("figure", "out"): "analyze",
    ("work", "out"): "analyze",
    ("fill", "in"): "transform",
    ("fill", "out"): "transform",
    ("clean", "up"): "transform",
    ("turn", "on"): "execute",
    ("turn", "off"): "execute",
    ("turn", "up"): "execute",
    ("turn", "down"): "execute",
    ("shut", "down"): "execute",
    ("power", "off"): "execute",
    ("power", "on"): "execute",
    ("spin", "up"): "execute",
    ("tear", "down"): "execute",
    ("roll", "back"): "execute",
    ("roll", "out"): "execute",
    ("kick", "off"): "execute",
    ("log", "in"): "execute",
    ("log", "out"): "execute",
    ("sign", "in"): "execute",
    ("sign", "up"): "execute",
    ("sign", "out"): "execute",
    ("print", "out"): "execute",
    ("check", "in"): "execute",
    ("follow", "up"): "execute",
    ("pick", "up"): "execute",
    ("hand", "over"): "execute",
    ("send", "out"): "execute",
    ("block", "out"): "schedule",
    ("push", "back"): "schedule",
    ("pencil", "in"): "schedule",
    ("slot", "in"): "schedule",
    ("make", "sure"): "analyze",
    ("double", "check"): "analyze",
    ("dig", "up"): "search",
    ("read", "up"): "search",
    ("hunt", "down"): "search",
    ("listen", "to"): "open",
    ("zip", "up"): "transform",
    ("clear", "out"): "execute",
    ("free", "up"): "execute",
    ("wipe", "out"): "execute",
}

# Words that are verbs only with their particle ("power off", "back up"): "power outlets" is not.
PARTICLE_ONLY = frozenset(
    words(
        """power back shut kick log spin tear roll pick hand come put bring dig break figure work
boil jot mock pencil slot double hunt""",
    ),
)

# Words that are also common nouns; after "and" or a comma they start an action only when an
# object-like word follows ("and review the code", not "prices and review scores").
AMBIGUOUS = frozenset(
    words(
        """chart plot report review list draft outline record display total count profile benchmark
measure sort filter order set block note plan map email mail message text post book
design test schedule copy print update share search check sum average track format label
tag group mark call play file store release scan tally score model code program study
lock stop order change switch back show view type rate spot watch""",
    ),
)

DETERMINERS = frozenset(
    words(
        """the a an this that these those my our your his her its their all every each some any
both no another other several few many much more most last next first second third one
two three four five six seven eight nine ten whatever which what""",
    ),
)

PRONOUNS = frozenset(words("it them me us him her you everything everyone something anything"))

PARTICLES = frozenset(words("up down out in on off over back together through away around"))

PREPOSITIONS = frozenset(
    words(
        """to into in on for with from by at about as of via per onto over under between across
through within without against toward towards before after during like than""",
    ),
)

QUESTION_WORDS = frozenset(
    words(
        """what when where who whom whose which why how is are was were do does did can could will
would should shall has have had may might am""",
    ),
)

# Words that may open an imperative without being its verb ("please", "can you", "just").
LEAD_SKIP = frozenset(
    words(
        """please kindly just now also then first next finally quickly immediately again afterwards
can could would will you pls plz ok okay hey hi""",
    ),
)

FUNCTION_WORDS = frozenset(
    words(
        """the a an and or but to of for in on with from by at my our your it its them their then
please is are be this that these those all every into about as what how when where who
which me i you also after before next last new using than have has was were will would
should could can do does did not no yes if there here up out any some each both via per""",
    ),
)

# Common English words that are evidence of English without being function words.
EVIDENCE_WORDS = FUNCTION_WORDS | frozenset(
    words(
        """week month today tomorrow yesterday morning evening afternoon night file files folder
        report email""",
    ),
)
