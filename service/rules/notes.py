"""Read a patient's free-text note for the most dangerous warning signs."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from service.rules import context, semantic


@dataclass(frozen=True)
class NoteFinding:
    code: str  # a symptom code of the vocabulary
    words: str  # the words of the note that matched: the phrase, or the whole sentence
    layer: str = "phrase"  # "phrase": the tables below; "semantic": a sentence like a labelled example
    example: str | None = None  # semantic: the labelled example the sentence is most like
    similarity: float | None = None  # semantic: how alike, cosine similarity


# How to read the phrase tables below:
#   a space       any run of spaces or punctuation inside a sentence ("can't  breathe", "tonic-clonic")
#   '             an apostrophe that may be ’, ' or missing ("can't", "can’t", "cant")
#   " ... "       up to four small linking words ("face is really swollen", "throat feels tight")
#   (a|b)  x?     a choice; an optional letter or group
#   {family}      a word and its misspellings, from FAMILIES
# A phrase matches whole words only, in any letter case.
FAMILIES = {
    "breathe": r"bre{1,2}a?the?",  # breathe, breath, breth, brethe, breeth
    "breathing": r"bre{1,2}a?th?[ei]ng?",  # breathing, brething, breathin, breating
    "tongue": r"t[ou]{1,2}ngu?e?",  # tongue, tounge, tonge, tung
    "part": r"(face|lips?|{tongue}|mouth|cheeks?|throat)",
    "swollen": r"((sw[oa]ll?[eo]n|sw[oa]ll?ed|swell?(s|ed|ing|in)?|puff(y|ed|ing))( up)?|(blown|blew) up)",
    "throat": r"thr?oa?te?",  # throat, throte, thoat
    "tight": r"(tight\w*|tite|clos(e|es|ed|ing)( (up|in))?|constrict\w*|narrow\w*)",
    "swallow": r"sw[ao]ll?ow\w*",  # swallow, swollow, swalow
    "cannot": r"(can't|cannot|can not|couldn't|could not|unable to)",
    "dont_know": r"((don't|do not|didn't|did not) know|not knowing|no idea|not sure|(can't|couldn't) tell"
    r"|forgot|forget)",
    "pills": r"(pills|tablets|meds|medications?|medicines?|baclofen|bottle|packet|pack|box)",
}

PHRASES = {
    "swelling_face_lips_tongue": [
        "{part} ... {swollen}",  # lips swelling, my face is swollen, tongue's swelling up
        "{swollen} ((of|in|on|around) )?(my |the )?{part}",  # swollen lips, swelling of my face
        "({tongue}|lips?) ... (big|bigger|huge|thick|fat|heavy|massive|enormous)",  # tongue feels big
        "(big|huge|thick|fat|massive) ({tongue}|lips)",
        "angio ?o?edema",
        "(lèvres|visage|langue|bouche|labios|cara|lengua|boca) ... (gonfl|enfl|hinchad)\\w*",
        "(gonfl|enfl|hinch)\\w* (des |de la |du |de los |de la |del )?(lèvres|visage|langue|labios|cara|lengua)",
    ],
    "throat_tightness": [
        "{throat} ... {tight}",  # throat is closing, throat feels tight
        "{tight} ((in|of|around) )?(my |the )?{throat}",  # tight throat, tightness in my throat
        "({cannot}|can (barely|hardly)|(hard|harder|difficult|struggling|struggle) to) {swallow}",
        "(trouble|difficulty|problems?|struggling|hard time) {swallow}",
        "lump in (my |the )?{throat}",
        "choking",
        "(gorge|garganta) ... (serr|ferm|cerrad|apretad|cierra)\\w*",
        "(du mal|difficile|peine|no puedo|me cuesta|dificultad para) (à |a )?(avaler|tragar)",
    ],
    "difficulty_breathing": [
        "({cannot}|(can|could) (barely|hardly)|(hard|harder|difficult|struggl\\w*|fighting) to) {breathe}",
        "(trouble|difficulty|difficulties|problems?|hard time|struggl\\w*|issues?) (with )?{breathing}",
        "{cannot} (catch|get) (my |enough )?({breathe}|air)",  # can't catch my breath
        "{breathing} ... (hard|harder|difficult|laboured|labored|a struggle|tight|wheezy|noisy)",
        "not {breathing} (properly|right|well|normally)",
        "short(ness)? (of )?{breathe}",  # short of breath, shortness of breath
        "out of {breathe}",
        "{breathe}less\\w*",
        "wh?ee?z\\w*",  # wheezing, wheezy, weezing
        "gasp(ing|ed|s)? for (air|{breathe})",
        "gasping",
        "suffocat\\w*",
        "tight\\w* ((in|of|across) )?(my |the )?chest",
        "chest ... tight\\w*",
        "((ne |n')?(peux|arrive) pas|du mal|difficult\\w*|peine) (à |a |pour )?respirer",
        "(no puedo|me cuesta|dificultad para|dificultades para) respirar",
        "essouffl\\w*|falta de aire|me falta el aire|me ahogo",
    ],
    "slow_breathing": [
        "{breathing} ... (slow\\w*|shallow|weak|faint|stopp\\w*|stops|paus\\w*)",  # breathing very slow
        "(slow|slowed|shallow|weak) ({breathing}|{breathe}s?)",  # shallow breathing, slow breaths
        "(barely|hardly|not really|stopped|stop|stops|stopping) {breathing}",  # barely breathing
        "forg[eo]t\\w* to {breathe}",
        "respiratory depression",
        "(respiration|respire|respiración|respiro|respira) ... (lente|lentement|faible|superficielle|lenta|débil"
        "|superficial|despacio)",
    ],
    "seizure": [
        "s(ei|ie|e|i|ea|ee)[sz](ure|ur|er|ier)s?",  # seizure, sezure, siezure, seisure, seizer
        "seiz(ing|ed)",
        "c[ou]nvul[st]\\w*",  # convulsions, convulsing, convultions
        "(had|have|having|has|took) (a |another |some |several |multiple |a few )?fits?",
        "(was|been|started|kept|am|I'm) fitting",
        "epileptic (fits?|attacks?|episodes?)",
        "tonic ?clonic",
        "grand mal",
        "(blacked|passed|blanked) out (and )?(was |started |kept |then )?(shook|shaking|jerk\\w*|twitch\\w*)",
        "foam\\w* at the mouth",
        "crises? (convulsives?|d'épilepsie|épileptiques?)|(ataques?|crisis) (epil[ée]ptic[oa]s?|convulsiv[oa]s?)",
    ],
    "hallucinations": [
        "h[aeu]l{1,2}[uoiae][cs]{1,2}[iey]?nat\\w*",  # hallucinations, halucinating, hallucnations
        # seeing things that aren't there
        "((se{1,2}ing|saw|seen|hearing|heard) )?(things|stuff|people|someone|somebody|something|bugs|shapes|shadows|"
        "faces|voices|animals|figures) ((that|who|which) )?"
        "(aren't|isn't|weren't|wasn't|are not|is not|was not|were not|ain't) (there|real)",
        # ... but not "seeing things differently", which people in recovery write too
        "(se{1,2}ing|saw|seen) (things|stuff|bugs|insects|spiders|snakes|rats|shadows|shapes|ghosts|faces|figures)"
        "(?! (differently|clearly|more|better|positively|in a|from|through))",
        "(hearing|hear|heard) voices",
        "hearing things",
        "voices (in|inside) my head",
        "voices (telling|talking to) me",
        "(bugs|insects|ants|spiders|worms|things|something|stuff) crawl\\w*",
        "crawl\\w* (on|under|over|all over|in) my (skin|body|arms|legs|face)",
        "skin ... crawling",
        "the (dts|d\\.t\\.s)",
        "delirium tremens",
        "tripping (balls|out)",
        "alucin\\w*",
        "(entends|entendu|oigo|escucho|oí) (des |unas )?(voix|voces)",
    ],
    "confusion": [
        "c[ou]nf[uo][sz]{1,2}(e?d|ion)",  # confused, confussed, confuzed, confusion
        "confued|confuzzled",
        "dis ?or[ie]{1,2}nt(at)?(ed|ion)",  # disoriented, disorientated, disorented
        "{dont_know} (where|who) (I'm|I (am|was|is|were|live))",  # don't know where I am; not "forgot where I put"
        "{dont_know} what (day|year|month|time) it (is|was)",
        "{cannot} think (straight|clearly|clear|properly|right)",
        "muddled",
        "brain fog\\w*",
        "(head|brain|mind) ... (foggy|fuzzy|scrambled|mush)",
        "delir(ious|ium)",
        "(suis|sens|sentais|senti|sentie) (tout |toute |très |un peu )?confuse?s?",
        "confundid[oa]s?|confusi[oó]n|d[ée]sorient\\w*|desorientad[oa]s?",
        "(sais|savais) (plus |pas )où je (suis|étais)|no sé dónde estoy",
    ],
    "suicidal_thoughts": [
        "su[ie]{0,2}[cs]{1,2}[iy]?d\\w*",  # suicidal, suicide, sucidal, suicidle, suiside
        "(want|wanted|wanting|wants|wanna) (to |2 )?(die|be dead|not be alive|not exist|not wake up)",
        "wish (I|I'd) ... (dead|die|died|gone)",
        "wish (I|I'd) ... never (been born|woke up|wake up|existed)",
        "kill\\w* my ?self",
        "kms",
        "(end|ending|ended|finish|finishing) (it all|my (own )?life|everything|myself)",
        "(take|taking|took) my (own )?life",
        "no (reason|point) (to|in|for) (live|living|go on|going on|carry on|carrying on|be alive|being alive"
        "|being here)",
        "(nothing|nobody|no one) (left )?to live for",
        "(not|isn't|is not|no longer) worth living",
        "what's the point (of|in) (living|going on|life|being alive|carrying on)",
        "better off (dead|gone|without me)",
        "(don't|do not|didn't|did not|no longer) want to (be here|be alive|live|exist|wake up|go on|carry on)",
        "{cannot} go on",
        "(take|taking|took|swallow|swallowing) (all|the whole|the rest) (of )?(my |the )?{pills}",
        "(overdose|od) on purpose",
        "(take|taking|took|taken) an (overdose|od)",  # in British use, a deliberate one
        "(thinking|thought|thoughts|think) (of|about) (dying|death|ending it|overdosing|an overdose|not being here)",
        "(hang|hanging) my ?self",
        "(slit|slitting|cut|cutting) my wrists?",
        "jump\\w* (off|in front of) (a|the) (bridge|building|roof|cliff|train|bus)",
        "unalive\\w*",
        "self ?harm\\w*",
        "harm\\w* my ?self",
        "envie de mourir|(veux|voudrais) mourir|en finir|me tuer|(plus|pas) envie de vivre",
        "(quiero|quisiera) morir\\w*|quitarme la vida|matarme|no quiero vivir|acabar con (todo|mi vida)",
    ],
}

# Words that may sit between a body part and how it feels, as in "face is really swollen".
# A negation is never one of them, so "throat is not tight" is not a phrase at all.
_LINKING = (
    r"(is|are|am|was|were|be|been|being|s|r|has|have|had|feels?|felt|feeling|looks?|looked|looking|"
    r"seems?|got|gets|getting|gone|went|going|became|become|becoming|started|starting|keeps?|kept|could|would|"
    r"still|now|all|really|very|so+|too|quite|pretty|super|kinda|kind|sort|of|a|bit|little|lot|more|"
    r"totally|completely|badly|extremely|up|like|just|also|to)"
)
_SEP = r"(?:[^\w.!?;]++)"  # spaces and punctuation that do not end a sentence; possessive: no backtracking


def _compile(phrase: str) -> str:
    """Turn one phrase of the tables into a regular expression."""
    while re.search(r"\{[a-z_]+\}", phrase):  # families may use families; "{0,2}" is a repeat count
        phrase = re.sub(r"\{([a-z_]+)\}", lambda m: FAMILIES[m.group(1)], phrase)
    phrase = re.sub(r"\((?!\?)", "(?:", phrase)
    phrase = phrase.replace(" ... ", "\0").replace("'", "['’]?").replace(" ", _SEP)
    linking = re.sub(r"\((?!\?)", "(?:", _LINKING)
    return phrase.replace("\0", rf"(?:{_SEP}{linking}\b){{0,4}}{_SEP}")


_PATTERNS = {
    code: re.compile(r"\b(?:" + "|".join(_compile(p) for p in phrases) + r")\b", re.IGNORECASE)
    for code, phrases in PHRASES.items()
}

# -- sentences: ConText reads one at a time, and the semantic layer compares one at a time

_EMOJI = "\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55"
# A sentence ends at its mark (not "seizures? no", which is a question answered), a line break or an emoji.
_SENTENCE_END = re.compile(
    rf"[.!?;…]+(?=\s|$|[{_EMOJI}])(?!\s*+(?:no|none|nil|nope|non|yes)\b)|\n+|[{_EMOJI}]+\ufe0f?"
    r"|\s(?:lol|lmao|haha+|smh|tbh)\b[.!]*",
    re.IGNORECASE,
)
# A run-on note with no marks at all is cut at its strongest joints.
_RUN_ON_JOINT = re.compile(r"\s(?=(?:and then|and now|also|plus|anyway|anyways|btw)\s)", re.IGNORECASE)
RUN_ON_WORDS = 12  # a piece this long without a mark is a run-on


def sentences(text: str) -> list[tuple[int, int]]:
    """Split a note into sentences, as (start, end) character spans, the end mark included."""
    spans, start = [], 0
    for mark in _SENTENCE_END.finditer(text):
        spans.append((start, mark.end()))
        start = mark.end()
    spans.append((start, len(text)))
    cut = []
    for start, end in spans:
        if text.count(" ", start, end) >= RUN_ON_WORDS:
            for joint in _RUN_ON_JOINT.finditer(text, start, end):
                cut.append((start, joint.start()))
                start = joint.start()
        cut.append((start, end))
    return [(start, end) for start, end in cut if not text[start:end].isspace() and start < end]


@dataclass
class PhraseReading:
    """What the phrase layer made of a note: its sentences and its findings."""

    text: str
    spans: list[tuple[int, int]]
    found: dict[str, NoteFinding]
    dismissed: set[tuple[int, str]]  # (sentence, code): a phrase there that ConText or a figure of speech set aside
    _read: dict[int, context.Sentence]
    _shares: list[tuple[float, ...]] | None = None

    def sentence(self, i: int) -> context.Sentence:
        if i not in self._read:
            self._read[i] = context.read(self.text[self.spans[i][0] : self.spans[i][1]])
        return self._read[i]

    def shares(self) -> list[tuple[float, ...]]:
        """ConText's shares of each sentence (`Sentence.shares`), what the semantic layer reads beside it."""
        if self._shares is None:
            self._shares = [self.sentence(i).shares() for i in range(len(self.spans))]
        return self._shares

    def closed_to(self, i: int, code: str) -> bool:
        """Whether the semantic layer may not find `code` in sentence i: ConText dismisses the sentence
        as a whole, or a phrase for that sign in it was set aside. A denial of part of a sentence is
        the classifier's to weigh, with ConText's shares: "not enough air" is no denial."""
        return (i, code) in self.dismissed or bool(self.shares()[i][-1])  # the last share: dismissed whole


def read_phrases(text: str) -> PhraseReading:
    """The phrase layer: find the sign's words; ConText decides whether they are the patient's,
    present and real."""
    spans = sentences(text)
    starts = [start for start, _ in spans]
    reading = PhraseReading(text, spans, {}, set(), {})
    figures: dict[int, list[tuple[int, int]]] = {}  # figures of speech, by sentence
    for code, pattern in _PATTERNS.items():
        for match in pattern.finditer(text):
            if code in reading.found:
                break  # one finding per code, the first that counts
            i = bisect_right(starts, match.start()) - 1
            offset = spans[i][0]
            start, end = match.start() - offset, min(match.end(), spans[i][1]) - offset
            sentence = reading.sentence(i)
            if i not in figures:
                figures[i] = context.other_senses(sentence.text)
            figure = any(s < end and start < e for s, e in figures[i])
            if figure or sentence.dismisses(*sentence.token_span(start, end)):
                reading.dismissed.add((i, code))
            else:
                reading.found[code] = NoteFinding(code, match.group())
    return reading


def read_note(text: str | None) -> tuple[NoteFinding, ...]:
    """Return the warning signs found in a note, at most one finding per code, in the table's order.

    The phrase layer reads first; then the semantic layer reads every sentence, with ConText's
    shares of it, for the signs no phrase found, except where ConText dismisses the whole sentence
    or a phrase for the sign in it was set aside.
    """
    if not text or text.isspace():
        return ()
    reading = read_phrases(text)
    found = reading.found
    for i, matches in enumerate(semantic.classify(text, reading.spans, reading.shares())):
        for match in matches:
            if match.code not in found and not reading.closed_to(i, match.code):
                found[match.code] = NoteFinding(match.code, reading.sentence(i).text.strip(), "semantic",
                                                match.example, round(match.similarity, 3))
    return tuple(found[code] for code in PHRASES if code in found)


context.recognise_symptoms(lambda word: any(p.fullmatch(word) for p in _PATTERNS.values()))
