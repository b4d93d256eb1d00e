"""Read a patient's free-text note for the most dangerous warning signs."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NoteFinding:
    code: str  # a symptom code of the vocabulary
    words: str  # the words of the note that matched


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
    ],
    "throat_tightness": [
        "{throat} ... {tight}",  # throat is closing, throat feels tight
        "{tight} ((in|of|around) )?(my |the )?{throat}",  # tight throat, tightness in my throat
        "({cannot}|can (barely|hardly)|(hard|harder|difficult|struggling|struggle) to) {swallow}",
        "(trouble|difficulty|problems?|struggling|hard time) {swallow}",
        "lump in (my |the )?{throat}",
        "choking",
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
    ],
    "slow_breathing": [
        "{breathing} ... (slow\\w*|shallow|weak|faint|stopp\\w*|stops|paus\\w*)",  # breathing very slow
        "(slow|slowed|shallow|weak) ({breathing}|{breathe}s?)",  # shallow breathing, slow breaths
        "(barely|hardly|not really|stopped|stop|stops|stopping) {breathing}",  # barely breathing
        "forg[eo]t\\w* to {breathe}",
        "respiratory depression",
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

# -- who and whether: the words before a match

# A clause ends at a sentence mark, a new line, or a word that turns the sentence around.
_CLAUSE_END = re.compile(r"[.!?;\n]|\b(?:but|however|although|though|except|apart from|other than)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|,")  # words, and commas for the lists
_LOOK_BACK = 300  # characters; longer than a clause in practice, and it bounds the work per match

NEGATIONS = {
    "no", "not", "never", "didnt", "dont", "doesnt", "without", "denies", "denied", "deny", "nor",
    "neither", "none", "havent", "hasnt", "hadnt", "wasnt", "werent", "isnt", "arent", "aint",
}  # and "free of"; "no more" and "no longer" start with "no"
NEGATION_REACH = 4  # a negation governs a sign at most this many words after it
# Small words do not count towards that reach: "did not have any seizures", "no seizures or hallucinations".
_SMALL_WORDS = {"and", "or", "nor", "any", "a", "an", "the", "of"}
_LIST_MARKS = {",", "and", "or", "nor"}
# Across a list a negation carries only over other symptoms ("no rash, hives or swelling"), never over
# a complaint about something else: "no energy, confused", "no hope, want to die" are signs.
SYMPTOM_WORDS = {
    "rash", "rashes", "hives", "itch", "itching", "itchy", "swelling", "dizzy", "dizziness", "nausea",
    "nauseous", "sick", "vomiting", "headache", "headaches", "fever", "pain", "pains", "tremor", "tremors",
    "shakes", "shaking", "sweats", "sweating", "fainting", "drowsiness", "drowsy", "tingling", "numbness",
    "cramps", "spasms", "stiffness", "weakness", "palpitations", "anxiety", "cravings", "symptoms",
}
# A negation followed by one of these is about something else: "not sure if ...", "didn't sleep well, ...".
_HEDGES = {
    "sure", "certain", "idea", "clue", "know", "knowing", "think", "believe", "remember", "recall", "only",
    "just", "stop", "matter", "good", "great", "well", "ok", "okay", "fine", "right", "better", "sleep",
    "sleeping", "slept", "eat", "eating", "eaten", "ate",
}
# A sign phrased as a negation ("can't breathe", "don't know where I am", "no reason to live") is
# never negated by an earlier word: "didn't sleep and can't breathe" is two complaints.
_SELF_NEGATING = NEGATIONS | {"can", "cant", "cannot", "could", "couldnt", "do", "did", "nothing", "unable"}

FIRST_PERSON = {"i", "im", "ive", "id", "me", "my", "myself", "mine"}
# Other people. A pronoun is always a subject; a noun only where a subject stands: at the start
# of its clause or after a joining word ("I think my mum ..."), not after a verb ("I took my son ...").
OTHER_PRONOUNS = {"he", "she", "they", "hes", "shes", "theyre", "theyve", "someone", "somebody", "nobody"}
OTHER_PEOPLE = {
    "brother", "sister", "mother", "mum", "mom", "mam", "mommy", "mummy", "dad", "father", "daddy", "wife",
    "husband", "partner", "boyfriend", "girlfriend", "fiance", "fiancee", "friend", "mate", "son", "daughter",
    "kid", "child", "baby", "parent", "grandma", "grandmother", "grandpa", "grandad", "grandfather", "nan",
    "gran", "uncle", "aunt", "auntie", "cousin", "neighbour", "neighbor", "roommate", "flatmate", "colleague",
    "his", "her", "their",
}
_DETERMINERS = {"my", "our", "the", "a", "an", "his", "her", "their", "your", "best", "little", "big", "older",
                "younger", "elder"}
_JOINING = {"and", "then", "so", "because", "cause", "cuz", "coz", "when", "while", "whilst", "as", "after",
            "before", "since", "until", "if", "that", "also", "think", "thinks", "thought", "said", "says",
            "reckon", "guess", "today", "yesterday", "tonight", "now", "night", "morning", "afternoon",
            "evening", "earlier", "week", "weekend"}
# The event itself as the subject ("they think it was a seizure") leaves the patient in view.
_NEUTRAL = {"it", "its", "this", "there", "theres"}

# "Seizures: none", "hallucinations - no.", "seizure-free": the answer comes after the sign.
_ANSWERED_NO = re.compile(
    r"\s*+(?:[:=?\-–—]++\s*+(?:no|none|nil|denied|negative)\s*+(?:[.,;!?\n]|$)|-?\s*+free\b)", re.IGNORECASE
)


def _words(text: str) -> list[str]:
    """Split text into lower-case words without apostrophes ("Can’t" -> "cant"), and commas."""
    return [w.replace("'", "").replace("’", "") for w in _TOKEN.findall(text.lower())]


def _is_symptom(word: str) -> bool:
    return word in SYMPTOM_WORDS or any(p.fullmatch(word) for p in _PATTERNS.values())


def _negated(before: list[str]) -> bool:
    """Whether a negation in the words just before a sign governs it."""
    reach, in_list, only_symptoms = 0, False, True
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in FIRST_PERSON:
            return False  # "didn't sleep, I'm confused": the patient starts a new statement
        if word == "never" and before[i + 1 : i + 2] in (["been"], ["felt"]) and \
                before[i + 2 : i + 3] in (["so"], ["this"], ["that"], ["more"]):
            return False  # "never been so confused": a complaint made stronger, not denied
        if word in NEGATIONS or (word == "free" and before[i + 1 : i + 2] == ["of"]):
            return not any(w in _HEDGES for w in before[i + 1 :]) and (only_symptoms or not in_list)
        in_list = in_list or word in _LIST_MARKS
        if word != "," and word not in _SMALL_WORDS:
            only_symptoms = only_symptoms and _is_symptom(word)
            reach += 1
            if reach >= NEGATION_REACH:
                return False
    return False


def _someone_else(before: list[str]) -> bool:
    """Whether the clause before a sign makes another person its subject."""
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in FIRST_PERSON or word in _NEUTRAL:
            return False
        if word in OTHER_PRONOUNS:
            return True
        if word in OTHER_PEOPLE or (word.endswith("s") and word[:-1] in OTHER_PEOPLE):  # "mum's", "brothers"
            j = i - 1
            while j >= 0 and before[j] in _DETERMINERS:
                j -= 1
            if j < 0 or before[j] in _JOINING:
                return True
    return False


def _about_the_patient(text: str, match: re.Match) -> bool:
    """Whether a match is a sign the patient reports, neither negated nor about someone else."""
    window = text[max(0, match.start() - _LOOK_BACK) : match.start()]
    clause = window[max((m.end() for m in _CLAUSE_END.finditer(window)), default=0) :]
    if _ANSWERED_NO.match(text, match.end()):
        return False
    if _words(match.group())[0] not in _SELF_NEGATING and _negated(_words(clause)):
        return False
    # The subject is looked for in the comma-part only: "my brother called, I had a fit".
    return not _someone_else(_words(clause.rsplit(",", 1)[-1]))


def read_note(text: str | None) -> tuple[NoteFinding, ...]:
    """Return the warning signs found in a note, at most one finding per code."""
    if not text:
        return ()
    findings = []
    for code, pattern in _PATTERNS.items():
        # The first occurrence that counts: "no seizures last week, today I had a seizure" is found.
        match = next((m for m in pattern.finditer(text) if _about_the_patient(text, m)), None)
        if match:
            findings.append(NoteFinding(code, match.group()))
    return tuple(findings)
