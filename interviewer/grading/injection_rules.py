"""The phrases that show an answer addressing its grader, and the fast matcher that finds them.

Used by ``interviewer.grading.injection``. Each rule is a lower-case regular expression with
trigger keys: a rule runs only when one of its keys occurs, so a clean answer costs
a set look-up per key rather than a regex scan per rule.
"""

from __future__ import annotations

import re
import string
from typing import NamedTuple

FLAG_SCORE = "addresses the grader: asks for a score"
FLAG_PLEA = "addresses the grader: pleads for a better grade"
FLAG_RUBRIC = "addresses the grader: claims a rubric or grading criteria"
FLAG_VERDICT = "addresses the grader: writes its own verdict"
FLAG_ROLE = "addresses the grader: role or delimiter markers"
FLAG_IGNORE = "addresses the grader: tells it to ignore its instructions"
FLAG_DIRECT = "addresses the grader: speaks to the grader directly"


class Rule(NamedTuple):
    """One pattern, the keys that wake it, and where it is tried.

    ``at``: tried only where a key occurs, and must match starting there.
    ``search``: searched for anywhere once a key occurs.
    ``line``: tried at the start of each line that holds a key.
    A key is a whole word (looked up in the answer's set of words) unless it ends
    with ``*`` (any text starting so) or holds a space or a symbol (any substring).
    """

    mode: str
    keys: tuple[str, ...]
    pattern: re.Pattern[str]


def _rule(mode: str, keys: str | tuple[str, ...], pattern: str) -> Rule:
    return Rule(mode, tuple(keys.split("|")) if isinstance(keys, str) else keys, re.compile(pattern))


_TEN = r"(?:10|ten)\s*(?:/|out\s+of)\s*(?:10|ten)"
_ME_OR_ANSWER = r"(?:me|us|this(?:\s+(?:answer|response|submission|one))?|my\s+(?:answer|response|submission)|the\s+(?:answer|response|submission|candidate))"
_TOP = (
    r"(?:(?:(?:a|an|the)\s+)?(?:full|perfect|maximum|max|top|highest|high|excellent|good)\s+(?:score|marks?|grade|points|rating|credit)"
    rf"|{_TEN}|(?:a\s+)?(?:10|ten)(?:\s+points|\s*[.!,]|\s*$)|an?\s+a\+?(?!\w)|full\s+marks)"
)
_HIGH_MARK = r"(?:(?:full|perfect|maximum|max|top|highest|high|good)\s+(?:score|grade|marks?|points)|full\s+marks|10|ten)(?!\w)"
_GIVE = "give|gives|award|grant|assign"
_SCORE_VERB = "score|scores|rate|rates|grade|grades|mark|marks"

SCORE = (
    _rule("at", f"{_GIVE}|{_SCORE_VERB}", rf"\b(?:(?:give|award|grant|assign|mark|rate|score|grade)s?\s+{_ME_OR_ANSWER}\s+(?:a\s+score\s+of\s+)?{_TOP}|(?:score|rate|grade|mark)\s+(?:this|{_ME_OR_ANSWER})\s+(?:as\s+)?(?:highly|high|generously|leniently|correct|excellent|perfect|full|{_TEN}|(?:an?\s+)?(?:10|ten)\b(?![.,]\d|%)))"),
    _rule("at", _GIVE, rf"\b(?:give|award|grant|assign)\s+(?:it\s+|this\s+|me\s+)?(?:full\s+(?:marks|points|score|credit)|{_TEN}|a\s+perfect\s+(?:score|grade|mark)|top\s+marks|maximum\s+(?:marks|points|score))"),
    _rule("at", "deserve|deserves", rf"deserves?\s+(?:a\s+|an\s+|the\s+)?{_HIGH_MARK}"),
    _rule("at", "full", r"full\s+(?:marks|points|credit(?!\s+assign))\b"),
    _rule("at", "10|ten|20", rf"(?<![\d/.,])(?:{_TEN}|20\s*/\s*20|(?:10|20)\s+sur\s+(?:10|20))(?![\d/%]|[.,]\d|\s*(?:folds?|runs?|trials?|times|seeds?|cases|experiments|samples))"),
    _rule("at", "correct|final|right|true|real|appropriate|fair", r"(?:correct|final|right|true|real|appropriate|fair)\s+(?:score|grade|mark)\s+(?:for\s+(?:this|my|the)\s+(?:answer|response)\s+)?(?:is|=|:|would\s+be|should\s+be)\s+(?:a\s+)?(?:10|ten|full|perfect|maximum|an?\s+a)\b"),
    _rule("at", "return|output|report|give|assign|award", r"(?:return|output|report|give|assign|award)\s+(?:a\s+|the\s+)?(?:score|grade|mark|rating)\s*(?:of|=|:)?\s*(?:10|ten)\b(?![.,]\d|%)"),
    _rule("at", "score|grade|rating|verdict", r"\b(?:score|grade|rating|verdict)\s*=\s*(?:10|ten)\b(?![.,]\d|%)"),
    _rule("at", "scored|graded|marked|rated", r"(?:scored|graded|marked|rated)\s+(?:as\s+)?(?:an?\s+)?(?:10|ten|full\s+marks|perfect)\b(?![.,]\d|%)"),
    _rule("at", "treat|consider|regard|count|mark|grade|score|rate|evaluate|judge", r"(?:treat|consider|regard|count|mark|grade|score|rate|evaluate|judge)\s+(?:this|my|the)\s+(?:answer|response|submission)\s+as\s+(?:fully\s+|completely\s+|100%\s+)?(?:correct|complete|perfect|excellent|right|an?\s+10)"),
    _rule("at", "mark|set|label|count|treat", r"(?:mark|set|label|count|treat)\s+(?:all|every|each)\s+(?:of\s+)?(?:the\s+)?(?:key\s+points?|verdicts?|criteria|points)\s+(?:as|to)\s+(?:covered|correct|met|satisfied|full)"),
    _rule("at", "should|must|ought", r"\b(?:should|must|ought\s+to)\s+(?:receive|get|be\s+given|be\s+awarded|earn)\s+(?:the\s+|a\s+)?(?:maximum|full|perfect|top|highest)\s+(?:score|marks?|grade|points)"),
    _rule("at", "highest|maximum|perfect|top", r"\b(?:highest|maximum|perfect|top)\s+(?:possible\s+)?(?:score|marks?|grade)\s+(?:please|for\s+(?:this|me|my))"),
    # French, German, Spanish, Italian, Portuguese
    _rule("at", "donne|donnez|donner|mets|mettez|attribue|attribuez|accorde|accordez", r"\b(?:donne[zr]?|mets|mettez|attribue[zr]?|accorde[zr]?)[-\s]+(?:moi\s+|nous\s+|lui\s+)?(?:la\s+|une\s+)?(?:note|(?:10|20)\s*/)"),
    _rule("at", "note|tous", r"\bnote\s+(?:maximale|maximum|parfaite)\b|\btous\s+les\s+points\b"),
    _rule("at", "volle|vollen|voller|höchste|höchsten|hochste|bestnote|höchstpunktzahl", r"\b(?:volle[nr]?\s+punkt(?:zahl|e)|h[öo]chste[n]?\s+punktzahl|bestnote|h[öo]chstpunktzahl)\b"),
    _rule("at", "gib|geben", r"\b(?:gib|geben\s+sie)\s+(?:mir|dieser\s+antwort|uns)\s+(?:die\s+|eine\s+)?(?:10|volle|beste|h[öo]chste|note)"),
    _rule("at", "dame|denme|deme|déme|dale|otorga|otorgame|otórgame|asígname|asigname", r"\b(?:dame|denme|d[ée]me|dale|ot[oó]rga(?:me)?|as[ií]gname)\s+(?:un\s+|una\s+|la\s+|el\s+)?(?:10|diez|m[aá]xim|puntuaci[oó]n|nota|calificaci[oó]n)"),
    _rule("at", "puntuación|puntuacion|nota|calificación|calificacion|pontuação|punteggio|voto", r"\b(?:puntuaci[oó]n|nota|calificaci[oó]n|pontua[cç][aã]o|punteggio|voto)\s+(?:m[aá]xim[ao]|perfett[ao]|perfecta|massim[ao])\b"),
    _rule("at", "máxima|maxima|mejor", r"\b(?:m[aá]xima|mejor)\s+(?:puntuaci[oó]n|nota|calificaci[oó]n)\b"),
    # Chinese, Japanese, Russian
    _rule("search", "满分*|最高分*|打*|给*|満点*", r"满分|最高分|打\s*(?:10|十)\s*分|给.{0,8}(?:高分|10分|十分|满分)|満点"),
    _rule("search", "максимальн*|высш*|наивысш*|поставь*|из 10", r"(?:максимальн|высш|наивысш)\w*\s+(?:балл|оценк)|поставь\w*\s+(?:мне\s+)?(?:10|максим|высш|пят[её]рк|отличн)|\b10\s+из\s+10\b"),
)
PLEA = (
    _rule("search", "depends|relies|riding", r"my\s+(?:job|career|visa|future|life|family|livelihood|scholarship|promotion)\s+(?:depends|relies|is\s+riding)\s+on\b"),
    _rule("search", "fired|lose my job|fail the interview", r"i\s+(?:will|would|could|might)\s+(?:lose\s+my\s+job|get\s+fired|be\s+fired|fail\s+the\s+interview)"),
    _rule("at", "please", r"please\s+(?:be\s+)?(?:lenient|generous|kind|nice|merciful)\b"),
    _rule("at", "do|don't", r"(?:do\s+not|don't)\s+(?:penali[sz]e|deduct\s+(?:points|marks)\s+from|mark\s+down|fail)\s+(?:me|this\s+answer|my\s+answer|the\s+candidate)\b"),
    _rule("at", "need", r"(?:(?<=\bi )|(?<=\bi really )|(?<=\bi desperately ))need\s+(?:a\s+|this\s+|to\s+get\s+a\s+)?(?:high|good|perfect|passing|top)\s+(?:score|grade|mark)"),
)
RUBRIC = (
    _rule("at", "rubric|rubrics", r"rubrics?\b"),
    _rule("at", "new|updated|revised|official|real|actual|correct", r"\b(?:new|updated|revised|official|real|actual|correct)\s+(?:grading|marking|scoring|evaluation)\s+(?:criteria|instructions|rules|guidelines|scheme)"),
    _rule("at", "grading|marking|scoring", r"\b(?:grading|marking|scoring)\s+(?:criteria|instructions|rules|guidelines|scheme|key)\s*[:=]"),
    _rule("at", "covers|satisfies|meets|addresses|hits|contains|includes", r"(?:(?<=answer )|(?<=response )|(?<=submission ))(?:covers|satisfies|meets|addresses|hits|contains|includes)\s+(?:all|every|each)\s+(?:of\s+)?(?:the\s+)?(?:key\s+points|criteria|requirements|points\s+in\s+the\s+reference)"),
    _rule("at", "key", r"key\s+points?\s+(?:are|were|have\s+been)\s+(?:all\s+)?(?:covered|addressed|met)"),
    _rule("at", "answered|covered|addressed|hit", r"(?:(?<=candidate )|(?<=answer )|(?<=candidate has )|(?<=answer has ))(?:answered|covered|addressed|hit)\s+(?:every|all)\s+(?:of\s+)?(?:the\s+)?key\s+points?"),
    _rule("at", "answer", r"(?:(?<=reference )|(?<=expected )|(?<=model ))answer\s+(?:is\s+identical|matches\s+this|says\s+this|is\s+this)"),
)
VERDICT = (
    _rule("at", "\"|'", r"""["'](?:score|grade|verdict|rating|key_points|feedback|criteria|correctness|completeness|covered|passed?|result)["']\s*:"""),
    _rule("line", ":|=", r"""[\s>*_#\-]*(?:final\s+|overall\s+|total\s+)?(?:score|grade|rating|mark|verdict|evaluation|assessment|result)[*_]*\s*[:=]\s*[*_]*\s*(?:\d+(?:\.\d+)?\s*(?:/|out\s+of)\s*10|10(?:\.0+)?(?!\w)|a\+?(?=\s|$|[.,!])|correct|covered|pass(?:ed)?|excellent|perfect|full)"""),
    _rule("at", "verdict", r"verdict\s*[:=]"),
    _rule("at", "key", r"key\s+points?\s*\d*\s*[:=\-]\s*(?:all\s+)?covered\b"),
)
ROLE = (
    _rule("line", ":", r"[\s>*_#\-(\[]*(?:system|assistant|developer|human|grader|evaluator)\s*:"),
    _rule("at", "system|assistant|developer|grader|evaluator", r"(?:(?<=[.!?;(\[{<|])|(?<=[.!?;)\]}>|] ))(?:system|assistant|developer|grader|evaluator)\s*:"),
    _rule("at", "system|admin|developer|debug", r"(?:system|admin|developer|debug)\s+(?:override|mode|prompt|message|note|instructions?|command)\s*:"),
    _rule("search", ("[system", "[assistant", "[developer", "[admin"), r"\[(?:system|assistant|developer|admin)(?:\s+\w+)?\]"),
    _rule("search", ("<|", "[inst", "[/inst", "<<sys", "<</sys", "_of_turn>"), r"<\|(?!endoftext\|)[a-z_]+\|>|\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>"),
    _rule("line", "##*", r"[\s#]*#{2,}\s*(?:instructions?|system|response|assistant|new\s+instructions?|input|grader|evaluation)\b"),
    _rule("at", "</*", r"</(?!(?:s|w|unk|pad|eos|bos|mask|cls|sep)>)[a-z_][\w:-]*\s*>"),
    _rule("at", "<*", r"<(?:system|instructions?|rubric|grading|grade|verdict|evaluation|assistant|user|question|answer|candidate_answer|reference(?:_answer)?|key_points|prompt)\b[^<>]*>"),
    _rule("at", "<!--*", r"<!--"),
    _rule("line", "end|begin|start", r"(?:.*[\[\-=#*(<])?\s*(?:end|begin|start)\s+of\s+(?:the\s+)?(?:candidate(?:'s)?\s+|user\s+)?(?:answer|response|submission|input|prompt|system\s+prompt)\b"),
)
_IGNORE_WORDS = "ignore|ignores|ignorez|ignorer|ignoriere|ignorieren|ignoriert|ignora|ignorar|ignorad"
IGNORE = (
    _rule("at", f"{_IGNORE_WORDS}|disregard|forget|override|bypass|skip", r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|these\s+|those\s+|my\s+)?(?:previous|prior|above|earlier|preceding|foregoing|former|original|system|initial|grading|given|existing|other)\s+(?:\w+\s+)?(?:instructions?|prompts?|rules?|directions?|guidelines?|rubrics?|criteria|context|messages?|text|constraints?)"),
    _rule("at", f"{_IGNORE_WORDS}|disregard|forget|override", r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+)?(?:your|the|these|those|all|any)\s+(?:instructions|prompt|rules|guidelines|grading\s+\w+)"),
    _rule("at", f"{_IGNORE_WORDS}|disregard|forget", r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?(?:the\s+)?(?:above|before|you\s+(?:were|have\s+been)\s+told)"),
    _rule("search", "follow", r"(?:do\s+not|don't)\s+follow\s+(?:the|your|any)\s+(?:\w+\s+)?(?:instructions|rules|rubric|guidelines)"),
    _rule("at", "new|instead", r"\bnew\s+(?:instructions?|rules?|directives?)\s*(?::|(?:is|are)\s+to\b)|\binstead,?\s+(?:output|respond|reply|return)\b"),
    _rule("at", "instruction|instructions|rules|rule|prompt|guidelines|rubric", r"(?:instructions?|rules?|prompt|guidelines|rubric)\s+(?:above|before|you\s+were\s+given|you\s+received)\s+(?:are|is|were|was)\s+(?:now\s+)?(?:outdated|obsolete|wrong|void|cancell?ed|invalid|superseded|no\s+longer\s+valid)"),
    _rule("at", "your", r"your\s+(?:real|actual|true|new|only)\s+(?:task|job|instructions?|goal|role)\s+(?:is|are)\s+(?:now\s+)?(?:to\s+)?(?:output|return|give|award|score|grade|say|respond|reply|print|mark)"),
    _rule("at", "grading|evaluation|scoring", r"(?:grading|evaluation|scoring)\s+(?:is|has\s+been)\s+(?:now\s+)?(?:disabled|turned\s+off|suspended|bypassed|skipped)"),
    _rule("at", f"{_IGNORE_WORDS}|oublie|oubliez", r"\bignore[zs]?\s+(?:toutes\s+)?(?:les\s+)?(?:instructions|consignes|directives|règles)|\boublie[zs]?\s+(?:toutes\s+)?(?:les\s+)?(?:instructions|consignes)"),
    _rule("search", "tenez", r"ne\s+tenez\s+pas\s+compte\s+des\s+(?:instructions|consignes)"),
    _rule("at", f"{_IGNORE_WORDS}|missachte|missachten|vergiss|vergessen", r"\b(?:ignorier(?:e|en|t)?|missachte[nt]?|vergiss|vergessen\s+sie)\s+(?:sie\s+)?(?:alle\s+)?(?:vorherigen\s+|bisherigen\s+|obigen\s+|vorigen\s+)?(?:anweisungen|instruktionen|regeln|vorgaben|befehle)"),
    _rule("at", f"{_IGNORE_WORDS}|olvida|olvide", r"\b(?:ignora[rd]?|ignore|olvida|olvide)\s+(?:todas\s+)?(?:las\s+|le\s+|as\s+)?(?:instrucciones|indicaciones|istruzioni|instruções|reglas)"),
    _rule("search", "忽略*|无视*|不要理会*|忘记*|無視*|무시*", r"忽略.{0,6}(?:指令|指示|说明|提示|规则)|无视.{0,6}(?:指令|指示|规则)|不要理会.{0,6}(?:指令|指示)|忘记.{0,6}(?:指令|指示)|指示を無視|지시.{0,4}무시"),
    _rule("search", "игнорир*|забуд*|не обращ*", r"(?:игнориру\w*|забудь\w*|не\s+обращай\w*\s+внимания\s+на)\s+(?:все\s+)?(?:предыдущ\w+\s+|прежн\w+\s+)?(?:инструкци|указани|правил)"),
)
_GRADER_WORDS = "grader|evaluator|examiner|marker|assessor|grading"
DIRECT = (
    _rule("search", _GRADER_WORDS, r"\b(?:dear|hey|hi|hello|attention|note\s+(?:to|for))\s+(?:the\s+)?(?:ai\s+|llm\s+)?(?:grader|evaluator|examiner|marker|assessor|grading\s+(?:model|assistant|ai))\b"),
    _rule("search", _GRADER_WORDS, r"\bas\s+(?:the|an?)\s+(?:ai\s+|llm\s+|automated\s+)?(?:grader|evaluator|examiner|grading\s+(?:model|assistant))\b"),
    _rule("at", "you|you're|from", r"\byou\s+(?:are|'re)\s+now\s+(?:a|an|the|in)\b|\byou're\s+now\s+(?:a|an|the|in)\b|\bfrom\s+now\s+on,?\s+you\b"),
    _rule("at", "pretend|imagine|assume|suppose|act", r"(?:pretend|imagine|assume|suppose|act\s+as\s+if)\s+(?:that\s+)?you(?:'re|\s+are)\s+(?:now\s+)?(?:a|an|the)\s+(?:\w+\s+){0,2}(?:grader|examiner|evaluator|marker|assessor|teacher|judge)\b"),
    _rule("at", "i'm|i am", r"(?:i'm|i\s+am)\s+(?:the|an?|your)\s+(?:developer|admin|administrator|author|creator|owner|operator)\s+of\s+(?:this|the|your)\s+(?:system|grader|app|application|tool|prompt|model)"),
    _rule("at", "you", r"\byou\s+(?:must|should|will|shall)\s+(?:now\s+)?(?:give|award|grade|score|mark|rate)\s+(?:this|me|my|it\s+(?:a|as|10|full))"),
    _rule("at", "respond|reply|output|return|print", r"\b(?:respond|reply)\s+(?:only\s+)?with\s+(?:json|\{|the\s+following|(?:an?\s+)?[\"']?score)|\b(?:output|return|print)\s+(?:only\s+)?(?:the\s+following|json\b|\{)"),
    _rule("search", "reading|grading|evaluating|checking", r"\b(?:ai|llm|language\s+model|grader|evaluator)\s+(?:reading|grading|evaluating|checking)\s+this\b"),
)

#: Checked in this order; flags come out in this order.
CATEGORIES: tuple[tuple[str, tuple[Rule, ...]], ...] = (
    (FLAG_IGNORE, IGNORE),
    (FLAG_SCORE, SCORE),
    (FLAG_PLEA, PLEA),
    (FLAG_RUBRIC, RUBRIC),
    (FLAG_VERDICT, VERDICT),
    (FLAG_ROLE, ROLE),
    (FLAG_DIRECT, DIRECT),
)

_WORD_SEPARATORS = str.maketrans(
    {c: " " for c in string.punctuation.replace("'", "") + "“”„«»‘—–…，。：；！？（）、"}
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def _index() -> tuple[dict[str, list[tuple[str, Rule]]], list[tuple[str, list[tuple[str, Rule]]]]]:
    """Word keys (set look-up) and substring keys (``in`` test), each with the rules they wake."""
    words: dict[str, list[tuple[str, Rule]]] = {}
    substrings: dict[str, list[tuple[str, Rule]]] = {}
    for flag, rules in CATEGORIES:
        for rule in rules:
            for key in rule.keys:
                if key.endswith("*"):
                    substrings.setdefault(key[:-1], []).append((flag, rule))
                elif key.replace("'", "").isalnum():
                    words.setdefault(key, []).append((flag, rule))
                else:
                    substrings.setdefault(key, []).append((flag, rule))
    return words, list(substrings.items())


_BY_WORD, _BY_SUBSTRING = _index()
_ASCII_SUBSTRINGS = [(key, pairs) for key, pairs in _BY_SUBSTRING if key.isascii()]
_OTHER_SUBSTRINGS = [(key, pairs) for key, pairs in _BY_SUBSTRING if not key.isascii()]


class Prepared(NamedTuple):
    """An answer ready for matching: lower case, blanks squeezed (``flat``), and its words."""

    lines: str
    flat: str
    words: frozenset[str]


def prepare(text: str) -> Prepared:
    lines = text.lower().translate(_APOSTROPHES)
    flat = " ".join(lines.split())
    return Prepared(lines, flat, frozenset(flat.translate(_WORD_SEPARATORS).split()))


def _matches(rule: Rule, at: list[int], text: Prepared) -> bool:
    mode, keys, pattern = rule
    if mode == "at":
        return any(pattern.match(text.flat, i) for i in at)
    if mode == "search":
        return pattern.search(text.flat) is not None
    return any(pattern.match(line) for line in text.lines.splitlines() if any(k.rstrip("*") in line for k in keys))


def _positions(key: str, flat: str) -> list[int]:
    found = []
    at = flat.find(key)
    while at >= 0:
        found.append(at)
        at = flat.find(key, at + 1)
    return found


def grader_flags(text: Prepared) -> list[str]:
    """The flags of every category with a rule that matches ``text``, in ``CATEGORIES`` order."""
    woken = [(word, _BY_WORD[word]) for word in text.words & _BY_WORD.keys()]
    flat = text.flat
    woken += [(key, pairs) for key, pairs in _ASCII_SUBSTRINGS if key in flat]
    if not flat.isascii():
        woken += [(key, pairs) for key, pairs in _OTHER_SUBSTRINGS if key in flat]
    found: set[str] = set()
    tried: set[int] = set()
    for key, pairs in woken:
        at: list[int] | None = None
        for flag, rule in pairs:
            if flag in found or (rule.mode != "at" and id(rule) in tried):
                continue
            tried.add(id(rule))
            if rule.mode == "at" and at is None:
                at = _positions(key, flat)
            if _matches(rule, at or [], text):
                found.add(flag)
    return [flag for flag, _ in CATEGORIES if flag in found]
