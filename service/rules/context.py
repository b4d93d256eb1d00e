"""ConText: whether a sign found in a sentence is the patient's, present and real.

The algorithm of Harkema et al. (2009), as in pyConText and medspaCy's ConText: trigger terms
(modifiers) each have a category and a direction. A FORWARD trigger applies to the signs after it,
a BACKWARD one to those before it, a BIDIRECTIONAL one to both, each up to the end (or start) of the
sentence, or fewer tokens where the rule says so. A scope ends early at a terminator ("but",
"except", "mais", "pero"), at the next trigger of the same category, or at a word of a category that
ends it (the patient speaking of themselves ends another person's scope). Pseudo-triggers look like
triggers and are not ("not sure", "no doubt"): a trigger inside one does not count. A trigger that
overlaps the sign never modifies it ("can't breathe", "no reason to live" carry their own "no").
Figures of speech ("dying for a drink", "fits of laughter") are other senses of the sign's words,
not modifiers: a sign found inside one is no sign at all (`other_sense`).

Cues are in English, French and Spanish. Pure and small: a sentence of 60 tokens costs tens of
microseconds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, NamedTuple

NEGATED = "NEGATED_EXISTENCE"
OTHER = "OTHER_EXPERIENCER"
HYPOTHETICAL = "HYPOTHETICAL"
HISTORICAL = "HISTORICAL"  # over and done
SELF = "SELF"  # the patient as the subject: ends the scope of another person, a denial and a question
MINE = "MINE"  # the patient's own: ends the scope of another person and of a denial
COMMA = "COMMA"  # ends a question's scope
NOW = "NOW"  # the present: ends the scope of what is over
DISMISSING = frozenset({NEGATED, OTHER, HYPOTHETICAL, HISTORICAL})
SHARE_CATEGORIES = (NEGATED, OTHER, HYPOTHETICAL, HISTORICAL)

FORWARD, BACKWARD, BIDIRECTIONAL = "FORWARD", "BACKWARD", "BIDIRECTIONAL"
TERMINATE, PSEUDO = "TERMINATE", "PSEUDO"

# What ends the scope of a category besides a terminator and another trigger of the same category.
TERMINATED_BY = {NEGATED: {SELF, MINE}, OTHER: {SELF, MINE, "NEUTRAL"}, HISTORICAL: {NOW}}
QUESTION_TERMINATED_BY = {SELF, COMMA}


class Token(NamedTuple):  # a tuple, not a dataclass: a note makes dozens, and each costs
    text: str  # lower case, apostrophes gone ("can't" -> "cant"), French elisions apart ("n'ai" -> "n", "ai")
    start: int  # character offsets in the sentence
    end: int
    capital: bool = False  # written with a capital first letter


@dataclass(frozen=True)
class Rule:
    literal: str  # tokens separated by spaces; "#" is any number, "####" a year; "a|b" either word
    category: str
    direction: str
    max_scope: int | None = None  # tokens; None: to the sentence's end (or start)
    question: bool = False  # counts only in a sentence that asks ("will I see things if ...?")
    opener: bool = False  # counts only as the sentence's first word ("is confusion a side effect?")


@dataclass(frozen=True)
class Modifier:
    rule: Rule
    start: int  # token indices, end exclusive
    end: int
    scope_start: int
    scope_end: int

    @property
    def category(self) -> str:
        return self.rule.category

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def covers(self, start: int, end: int) -> bool:
        """Whether a target's first or last token lies in this modifier's scope."""
        return self.scope_start <= start < self.scope_end or self.scope_start < end <= self.scope_end


# -- tokens

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,:h]\d+)?|[,:?!¿()/&+-]")
# French elisions are two words ("n'ai" is "ne ai", "j'ai" is "je ai"); English contractions are one.
_ELIDED = {"n", "j", "l", "d", "qu", "s", "m", "t", "c", "jusqu", "lorsqu", "puisqu"}


def tokenize(sentence: str) -> list[Token]:
    """Split a sentence into lower-case words, numbers and the punctuation lists and answers use."""
    tokens = []
    for m in _TOKEN.finditer(sentence):
        word, start = m.group(), m.start()
        capital = word[0].isupper()
        lower = word.lower()
        if "'" in lower or "’" in lower:
            head, _, tail = lower.replace("’", "'").partition("'")
            if head in _ELIDED:
                tokens.append(Token(head, start, start + len(head), capital))
                start += len(head) + 1
                lower = tail
            lower = lower.replace("'", "").replace("’", "")
        tokens.append(Token(lower, start, m.end(), capital))
    return tokens


# -- the cues

def _rules(category: str, direction: str, literals: Iterable[str], max_scope: int | None = None,
           question: bool = False, opener: bool = False) -> list[Rule]:
    return [Rule(literal, category, direction, max_scope, question, opener) for literal in literals]


# "... but it passed", "... but that's gone now", "... but went down after an hour"
_GONE = "passed|went|gone|cleared|settled|stopped|eased|wore|lifted|resolved|disappeared|subsided|over|fine|normal"
_OVER = [
    f"but {_GONE}", f"but it|that|this|they|its|thats|theyre|theyve|theyd {_GONE}",
    f"but it|that|this|they has|have|had|is|was|were|s|re {_GONE}", "but now|today fine|ok|okay|normal|good|better",
    "but now|today totally|completely|all|back fine|ok|okay|normal|good|better|to",
]


_NOT_EN = "dont|doesnt|didnt|havent|hasnt|hadnt|wasnt|werent|isnt|arent|aint|wont|not|never"
RULES: list[Rule] = [
    # -- negation: a denial covers the list it heads
    *_rules(NEGATED, FORWARD, [
        "no", "not", "never", "nor", "neither", "without", "nil", "zero", "denies", "deny", "denying",
        "dont", "doesnt", "didnt", "havent", "hasnt", "hadnt", "wasnt", "werent", "isnt", "arent", "aint",
        "free of", "free from", "no sign|signs of", "no evidence of", "none of", "nothing like", "absence of",
        "ruled out", "rules out", "negative for", "lack of", "cant|cannot|wouldnt|couldnt say", "none :",
        "nothing to report", "nothing of note", "nothing like that", "no such",
        # French
        "ne", "n", "pas", "jamais", "aucun", "aucune", "sans", "ni", "nie", "absence de", "pas de", "point de",
        # Spanish ("no" is shared)
        "nunca", "jamás", "sin", "ni", "ningún", "ninguno", "ninguna", "niega", "niego", "tampoco", "nada de",
    ]),
    *_rules(NEGATED, BACKWARD, [
        ": no", ": none", ": nil", ": negative", "? no", "- no", "- none", "none", "negative",
        "said no to all|everything|them", "none of them|those|these", ", ninguna|ninguno|nada|aucun|aucune|rien",
        ": non", ": aucun", ": aucune", ": ninguno", ": ninguna", ": nada",
    ], max_scope=4),
    *_rules(NEGATED, BACKWARD, ["- free", "free"], max_scope=1),  # seizure-free, seizure free
    *_rules(NEGATED, BIDIRECTIONAL, ["denied"], max_scope=4),  # "denied any seizures", "seizures denied"
    # -- someone or something else: pronouns are always subjects; nouns are found in code (_people)
    *_rules(OTHER, FORWARD, [
        "he", "she", "they", "hes", "shes", "theyre", "theyve", "theyd", "hed", "shed", "him", "them",
        "someone", "somebody", "anyone", "people", "a guy|man|woman|girl|boy|lady|bloke|person",
        "the guy|man|woman|girl|boy|lady|bloke|person",
        "film", "films", "movie", "movies", "book", "novel", "show", "series", "documentary", "tv",
        "telly", "news", "article", "story", "character", "podcast", "episode", "video",
        "a patient", "other patients", "in group", "at group", "group member", "my little one", "you",
        "un gars", "les infos", "aux infos", "un paciente", "una paciente",
        # French
        "il", "elle", "ils", "elles", "quelqu un", "quelquun", "mon frère|père|fils|mari|ami|copain|voisin|chien|chat",
        "ma sœur|soeur|mère|fille|femme|amie|copine|voisine", "le film", "un film", "au journal",
        # Spanish
        "él", "ella", "ellos", "ellas", "alguien", "mi hermano|hermana|padre|madre|hijo|hija|esposo|esposa|marido"
        "|mujer|amigo|amiga|novio|novia|vecino|vecina|perro|gato|abuela|abuelo|tío|tía|primo|prima",
        "una película", "la película", "en las noticias",
    ]),
    *_rules(OTHER, BACKWARD, ["not me", "not mine"], max_scope=8),  # "it was my son who had a fit, not me"
    # -- the patient speaking of themselves ends another person's scope: "my brother called, I had a fit"
    *_rules(SELF, TERMINATE, ["i", "im", "ive", "id", "je", "j", "yo"]),
    *_rules(MINE, TERMINATE, ["my", "myself", "mine", "me", "moi", "mí", "conmigo"]),
    *_rules(COMMA, TERMINATE, [","]),
    # -- hypothetical, a question, information
    *_rules(HYPOTHETICAL, FORWARD, [
        "if", "in case", "what if", "whether", "worried about|that|i|id|ill", "worry about|that", "worrying about",
        "scared of|that|about", "afraid of|that", "frightened of", "fear of", "terrified of", "nervous about",
        "watch for", "watch out for", "look out for", "keep an eye out for", "warned", "warning", "warns",
        "leaflet", "the label", "can cause", "could cause", "may cause", "baclofen|it|this cause|causes",
        "afraid|scared|worried|terrified|frightened|nervous|anxious ill|itll|that|of|about|id",
        "afraid|scared|worried|terrified|frightened|nervous|anxious im going|gonna",
        "ask|asked|asking me|us|the|about", "the usual questions", "questions", "learned|learnt|taught about",
        "what are the signs|symptoms", "what to look for",
        "might cause", "causes", "risk of", "risks of", "chance of", "chances of", "possibility of",
        "asked if|whether|about", "ask if|whether|about", "asking if|whether|about", "told me to",
        "in the event of", "in order to avoid|prevent", "to avoid", "to prevent", "prevent", "avoid",
        "said to call|ring", "call if", "ring if", "explained", "information", "info", "read that|about",
        "reading about", "googled", "heard that", "screening", "questionnaire", "quiz",
        # French
        "si", "au cas où", "en cas de", "peur de|d", "risque de|d", "effets secondaires", "peut provoquer|causer",
        "la notice", "s il", "surveiller", "surveille", "dit de", "demandé si|s", "m a demandé",
        # Spanish
        "por si", "en caso de", "miedo de|a", "riesgo de", "efectos secundarios", "puede causar|provocar",
        "el prospecto", "y si", "qué pasa si", "vigilar", "preguntó por|si", "me preguntó", "me preguntaron",
    ]),
    *_rules(HYPOTHETICAL, BIDIRECTIONAL, [
        "side effect", "side effects", "a side effect of", "effet secondaire", "effets secondaires",
        "efecto secundario", "efectos secundarios",
    ]),
    # a question the patient asks about a sign, not one they report: only where the sentence asks,
    # and only up to a comma or the patient speaking ("what do I do, I can't breathe?")
    *_rules(HYPOTHETICAL, FORWARD, [
        "is", "are", "can", "could", "will", "would", "does", "do", "did", "should", "might", "may", "what",
        "whats", "how", "any", "est", "peut", "puis", "¿",
    ], question=True, opener=True),
    *_rules(HYPOTHETICAL, FORWARD, [
        "what happens", "should i", "would i", "will i", "could i", "can i", "might i", "do i", "am i going",
        "is it normal|possible|safe|common|likely", "does baclofen|it|this",
        "can baclofen|it|this", "could baclofen|it|this", "will baclofen|it|this", "how do|can|would i",
        "is there a risk", "any chance", "est ce que", "puis je", "est il", "va t il", "peut il", "puedo",
        "es normal", "es posible", "c est normal", "est ce normal", "podría", "puede el|la|esto",
    ], question=True),
    # -- over and done
    *_rules(HISTORICAL, FORWARD, [
        "no longer", "no more", "used to", "history of", "once had",
        "stopped having|getting|hearing|seeing|feeling|being", "not anymore", "not any more",
        "il y a # ans", "ya no", "hace # años", "antes tenía",
    ]),
    *_rules(HISTORICAL, BIDIRECTIONAL, ["back in ####", "in ####", "en ####"], max_scope=8),
    *_rules(HISTORICAL, BIDIRECTIONAL, ["years ago", "in the past", "last year"], max_scope=12),  # "back in 2018"; a year only
    # a sign's own verb: it speaks of the words just before it ("the rash has gone" leaves "had a fit" alone)
    *_rules(HISTORICAL, BACKWARD, [
        "went away", "gone away", "has gone", "have gone", "is gone", "are gone", "all gone", "gone now",
        "stopped", "has stopped", "have stopped", "has passed", "passed", "cleared", "cleared up",
        "has lifted", "lifted", "is over", "are over", "resolved", "settled", "settled down", "eased off",
        "wore off", "worn off", "have completely gone", "has completely gone", "a disparu", "ont disparu",
        "desapareció", "desaparecieron", "se fue", "se fueron",
        "has|have|had gone down", "is|are|was|were totally|completely|all gone",
        "totally|completely gone", "has|have cleared up", "never came back", "hasnt|havent come back",
        "not had it|them since", "havent had it|them since", "behind me", "derrière moi", "est fini|finie|finies|finis",
        "ne s est jamais reproduit|reproduite", "ne sont jamais revenus|revenues", "se me quitó|quitaron",
        "se quitó|quitaron", "se me bajó", "ya terminó", "ya se fue", "ya se me pasó", "no me ha vuelto a pasar",
    ], max_scope=3),
    # said of what came before: "had a seizure in 2018, none since", "... but it passed"
    *_rules(HISTORICAL, BACKWARD, [
        "none since", "not since", "months ago", "a while ago", "long ago",
        "back to normal", "back then", "before baclofen", "before i started", "well before",
        "as a kid|child|teenager", "nothing since", "a thing of the past", "long gone",
        "but went|gone down", "went|gone back down", "fine now", "now fine|ok|okay|normal|good|better",
        "was last week|month|year", "plus maintenant", "sont parties|partis|passées|passés", "est partie|parti|passée",
        "ya no más", "plus rien maintenant", "ya nada", "mais c est fini|passé", "mais ça va mieux",
        "pero ya pasó|está bien", "bajó", "bajaron", "a dégonflé", "ont dégonflé", "but back to normal", "but fine|ok|okay|better now", "fine after", "normal again", "ok now", "all good now", *_OVER,
        "est passé", "c est fini", "fini", "terminé", "ont cessé", "ya pasó", "se me pasó", "hace años",
    ], max_scope=12),
    # -- terminators: the scope of anything before them ends here
    *_rules("", TERMINATE, [
        "but", "however", "although", "though", "except", "apart from", "aside from", "other than", "still",
        "yet", "whereas", "instead",
        "mais", "cependant", "sauf", "pourtant", "toutefois", "sauf que", "à part",
        "pero", "sin embargo", "excepto", "aunque", "salvo", "menos",
    ]),
    # -- now: the past is over where the present starts ("had a fit years ago, today had another seizure")
    *_rules(NOW, TERMINATE, [
        "now", "today", "tonight", "this morning|afternoon|evening|week", "since then", "again", "lately",
        "recently", "aujourd", "maintenant", "ce matin", "hoy", "ahora", "esta mañana", "otra vez", "de nuevo",
    ]),
    # -- pseudo-triggers: the words of a trigger, meaning something else
    *_rules("", PSEUDO, [
        "no doubt", "no increase", "no change", "not only", "not just", "gram negative", "no wonder",
        "thank you", "you know", "see you", "next to|beside|near|behind|opposite me", "in front of me",
        "not sure", "not certain", "no idea", "no clue", "dont know if|whether|why|how", "dont think so",
        "sure if", "know if", "wonder if", "wondering if", "not sure if|whether", "as if", "even if", "if only",
        "not good|great|well|ok|okay|fine|right|better|myself|coping", "not feeling good|great|well|ok|fine|right",
        f"{_NOT_EN} sleep|sleeping|slept|eat|eating|eaten|ate|stop|matter|help|helping|work|working",
        "didnt sleep well", "couldnt sleep", "no sleep", "no energy", "no appetite", "never been so|this|that|more",
        "never felt so|this|that|more", "never been this|that", "not the same", "no matter",
        "stopped|quit drinking|the|my|taking|baclofen|booze|alcohol|it|using|smoking|drugs",
        "passed out|away", "jamais été aussi|si|autant", "n ai jamais été aussi|si|autant",
        "ne me suis jamais senti|sentie aussi|si", "jamás|nunca había estado|me había sentido tan",
        "ne sais pas si", "pas sûr", "no sé si", "no estoy seguro", "no estoy segura", "if anything",
    ]),
]

# People named by a noun, not a pronoun: another experiencer only where a subject stands, at the
# start of its clause or after a joining word ("I think my mum ..."), not after a verb ("I took my son").
PEOPLE = {
    "brother", "sister", "mother", "mum", "mom", "mam", "mommy", "mummy", "ma", "dad", "father", "daddy", "pa",
    "wife", "husband", "partner", "boyfriend", "girlfriend", "fiance", "fiancee", "friend", "mate", "pal",
    "buddy", "son", "daughter", "kid", "kids", "child", "children", "baby", "parent", "parents", "grandma",
    "grandmother", "grandpa", "grandad", "granddad", "grandfather", "nan", "nana", "gran", "granny", "uncle",
    "aunt", "auntie", "cousin", "neighbour", "neighbor", "roommate", "flatmate", "housemate", "colleague",
    "coworker", "boss", "family", "dog", "cat", "puppy", "pup", "horse", "pet",
    "nephew", "niece", "bf", "gf", "hubby", "missus", "stepdad", "stepmum", "stepmom", "sponsor", "lad",
    "lads", "guy", "guys", "bloke", "his", "her", "their", "lodger", "client", "patient", "stranger",
    "man", "woman", "lady", "girl", "boy", "person", "budgie", "bird", "parrot", "hamster", "rabbit", "group",
    "phone", "app", "laptop", "computer", "satnav", "printer", "car", "boiler",
    # French and Spanish ("beau-frère" is "beau", "-", "frère": the noun after the hyphen is found)
    "frère", "sœur", "soeur", "père", "mère", "fils", "fille", "mari", "ami", "amie", "copain", "copine", "pote",
    "potes", "chum", "oncle", "tante", "cousin", "cousine", "voisin", "voisine", "collègue", "collègues",
    "papi", "mamie", "neveu",
    "nièce", "élève", "héros", "héroïne", "perso", "personnage", "patiente", "chien", "chat", "mec", "gars",
    "hermano", "hermana", "padre", "madre", "hijo", "hija", "esposo", "esposa", "marido", "novio", "novia",
    "amigo", "amiga", "compañero", "compañera", "compa", "cuñado", "cuñada", "suegro", "suegra", "tío", "tía",
    "primo", "prima", "abuelo", "abuela", "sobrino", "sobrina", "vecino", "vecina", "colega", "jefe", "jefa",
    "señora", "señor", "hombre", "chico", "chica", "paciente", "personaje", "protagonista", "perro", "gato",
}
_DETERMINERS = {"my", "our", "the", "a", "an", "your", "best", "little", "big", "older", "younger", "elder",
                "old", "new", "poor", "one", "some", "twin", "this", "that", "of", "s", "mes", "ma", "mon", "mi", "mis", "la", "el", "le", "un",
                "una", "nuestro", "nuestra", "notre", "al", "del", "du", "au", "sa", "son", "su", "ton", "ta", "tu"}
_JOINING = {",", "and", "then", "so", "because", "cause", "cuz", "coz", "when", "while", "whilst", "as", "after",
            "before", "since", "until", "if", "that", "also", "think", "thinks", "thought", "said", "says",
            "reckon", "guess", "today", "yesterday", "tonight", "now", "night", "morning", "afternoon",
            "evening", "earlier", "week", "weekend", "but", "(", ":", "-", "lol", "et", "y", "que", "puis",
            "mais", "pero", "hoy", "ayer", "aujourd", "hui", "hier"}
# Words a sentence may start with that are no one's name: "Today had a fit", "Baclofen made me ...".
_NOT_NAMES = {
    "today", "yesterday", "tonight", "last", "this", "then", "also", "just", "still", "again", "suddenly",
    "woke", "had", "have", "feeling", "felt", "feel", "think", "thought", "baclofen", "gp", "doctor", "dr",
    "nurse", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "morning", "night",
    "after", "before", "when", "since", "later", "early", "earlier", "now", "so", "and", "but", "very",
    "really", "honestly", "sometimes", "everything", "nothing", "something", "it", "its", "there", "that",
    "bad", "good", "slept", "work", "went", "got", "keep", "kept", "been", "was", "am", "is", "feels",
}
_NAME_VERBS = {"had", "has", "was", "is", "says", "said", "keeps", "kept", "got", "started", "thinks", "felt",
               "feels", "went", "cant", "couldnt", "can", "could", "seemed", "seems", "looked", "looks",
               "took", "tried", "wants", "wanted"}
# A new subject that is neither the patient nor anyone else keeps the patient in view:
# "they think it was a seizure".
_NEUTRAL = {"it", "its", "this", "there", "theres", "ça", "cela", "c", "eso", "esto"}



def _compile_rules(rules: Iterable[Rule]) -> dict:
    """Build a tree of the rules' words: a sentence is matched in one walk from each word."""
    tree: dict = {}
    for rule in rules:
        nodes = [tree]
        for part in rule.literal.split():
            nodes = [node.setdefault(choice, {}) for node in nodes for choice in part.split("|")]
        for node in nodes:
            node.setdefault(None, []).append(rule)
    return tree


_TREE = _compile_rules(RULES)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _next(node: dict, word: str) -> dict | None:
    found = node.get(word)
    if found is None and word[:1].isdigit():
        found = node.get("####") if _YEAR.fullmatch(word) else None
        found = found if found is not None else node.get("#")
    return found


def _triggers(words: list[str]) -> list[tuple[int, int, Rule]]:
    """Find the rules' words in a sentence: at each place the longest, pseudo-triggers winning."""
    found = []
    asks = bool(words) and words[-1] == "?"
    n = len(words)
    for i in range(n):
        node, j, best = _next(_TREE, words[i]), i + 1, None
        while node is not None:
            for rule in node.get(None, ()):
                if (rule.question and not asks) or (rule.opener and i > 0 and words[i - 1] != "¿"):
                    continue
                best = (i, j, rule)
                break
            if j == n:
                break
            node, j = _next(node, words[j]), j + 1
        if best:
            found.append(best)
    pseudo = [(s, e) for s, e, r in found if r.direction == PSEUDO]
    kept = []
    for start, end, rule in found:
        if rule.direction == PSEUDO:
            continue
        if any(s < end and start < e for s, e in pseudo):
            continue
        if kept and kept[-1][1] > start and kept[-1][2].category == rule.category:
            continue  # inside a longer trigger of the same kind: "no sign of" holds its "no"
        kept.append((start, end, rule))
    return kept


def _people(tokens: list[Token], words: list[str]) -> list[tuple[int, int, Rule]]:
    """Find other people named by a noun or a name where a subject stands."""
    found = []
    for i, word in enumerate(words):
        noun = word in PEOPLE or (word.endswith("s") and word[:-1] in PEOPLE)  # "mum's", "brothers"
        name = (tokens[i].capital and word not in _NOT_NAMES and word not in _TREE and word not in PEOPLE
                and i + 1 < len(words) and words[i + 1] in _NAME_VERBS)
        if not (noun or name):
            continue
        j = i - 1
        while j >= 0 and words[j] in _DETERMINERS:
            j -= 1
        if j < 0 or words[j] in _JOINING:
            found.append((i, i + 1, _PERSON))
    return found


_PERSON = Rule("<person>", OTHER, FORWARD)
_NEUTRAL_RULE = Rule("<it>", "NEUTRAL", TERMINATE)


@dataclass(frozen=True)
class Sentence:
    """One sentence read by ConText: its tokens and the modifiers found in it."""

    text: str
    tokens: tuple[Token, ...]
    modifiers: tuple[Modifier, ...]

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the tokens (start, end exclusive) that a character span of the sentence covers."""
        first = next((i for i, t in enumerate(self.tokens) if t.end > start), len(self.tokens))
        last = next((i for i in range(len(self.tokens) - 1, -1, -1) if self.tokens[i].start < end), first - 1)
        return first, max(first + 1, last + 1)

    def modifiers_of(self, start: int, end: int) -> list[Modifier]:
        """Return the modifiers that apply to the target made of tokens start..end."""
        words = [t.text for t in self.tokens]
        return [
            m for m in self.modifiers
            if m.category in DISMISSING and not m.overlaps(start, end) and m.covers(start, end)
            and _allowed(m, words, start, end)
        ]

    def dismisses(self, start: int, end: int) -> bool:
        return bool(self.modifiers_of(start, end))

    def shares(self) -> tuple[float, ...]:
        """For each of NEGATED, OTHER, HYPOTHETICAL and HISTORICAL, the share of the sentence's words
        that carry meaning which a modifier of that category reaches; then 1.0 if every such word
        is dismissed. What the semantic layer weighs beside what a sentence is about."""
        words = [t.text for t in self.tokens]
        content = [i for i, w in enumerate(words) if w not in _FUNCTION_WORDS]
        if not content:
            return (0.0,) * (len(SHARE_CATEGORIES) + 1)
        reached = [
            sum(1 for i in content if any(m.category == category and m.covers(i, i + 1) and not m.overlaps(i, i + 1)
                                          for m in self.modifiers)) / len(content)
            for category in SHARE_CATEGORIES
        ]
        return (*reached, 1.0 if self.dismisses_all() else 0.0)

    def dismisses_all(self) -> bool:
        """Whether every word that carries meaning is modified: the sentence as a whole is not the patient's sign.

        Conservative: a word no modifier reaches keeps the sentence ("no seizures, I'm so confused").
        """
        words = [t.text for t in self.tokens]
        in_modifier = set()
        for m in self.modifiers:
            in_modifier.update(range(m.start, m.end))
        content = [i for i, w in enumerate(words) if i not in in_modifier and w not in _FUNCTION_WORDS]
        if not content or not any(m.category in DISMISSING for m in self.modifiers):
            return False
        return all(self.dismisses(i, i + 1) for i in content)


def read(sentence: str) -> Sentence:
    """Tokenize a sentence and find its modifiers, each with its scope."""
    tokens = tokenize(sentence)
    words = [t.text for t in tokens]
    triggers = _triggers(words) + _people(tokens, words)
    triggers += [(i, i + 1, _NEUTRAL_RULE) for i, w in enumerate(words) if w in _NEUTRAL]
    triggers.sort(key=lambda found: found[0])
    n = len(words)
    modifiers = []
    for start, end, rule in triggers:
        if rule.direction == TERMINATE:
            continue
        scope_start, scope_end = (end, n) if rule.direction == FORWARD else (0, start) \
            if rule.direction == BACKWARD else (0, n)
        if rule.max_scope is not None:
            if rule.direction != BACKWARD:
                scope_end = min(scope_end, end + rule.max_scope)
            if rule.direction != FORWARD:
                scope_start = max(scope_start, start - rule.max_scope)
        # A terminator, a trigger of the same category, or one that ends this category, limits the scope.
        ends = QUESTION_TERMINATED_BY if rule.question else TERMINATED_BY.get(rule.category, set())
        for other_start, other_end, other in triggers:
            limits = (
                (other.direction == TERMINATE and (other.category == "" or other.category in ends))
                or (other.category == rule.category == NEGATED and other.direction != TERMINATE)
            )
            if not limits or (other_start, other_end) == (start, end):
                continue
            if rule.category == NEGATED and other.category in (SELF, MINE) and (
                    other_start == 0 or words[other_start - 1] not in _NEW_CLAUSE):
                continue  # the patient ends a denial where a new clause starts: "didn't sleep, I'm confused"
            if rule.direction != BACKWARD and other_start >= end:
                scope_end = min(scope_end, other_start)
            if rule.direction != FORWARD and other_end <= start:
                scope_start = max(scope_start, other_end)
        if rule.category == NEGATED and rule.direction == FORWARD:
            scope_start = _subject_start(words, start, scope_start)
        modifiers.append(Modifier(rule, start, end, scope_start, scope_end))
    return Sentence(sentence, tuple(tokens), tuple(modifiers))


_COPULAR_DENIALS = {"isnt", "arent", "wasnt", "werent"}
_COPULAS = {"is", "are", "was", "were", "s", "feel", "feels", "looks", "look"}


def _subject_start(words: list[str], start: int, scope_start: int) -> int:
    """A copular denial denies its subject too: "face isn't swollen", "my lips are not puffy" deny
    the face and the lips. The scope reaches back over the one or two words of the subject."""
    verb = start
    if words[start] == "not" and start > 0 and words[start - 1] in _COPULAS:
        verb = start - 1
    elif words[start] not in _COPULAR_DENIALS:
        return scope_start
    first = verb
    while first > 0 and verb - first < 2 and words[first - 1].isalpha() and words[first - 1] not in _JOINING:
        first -= 1
    return min(scope_start, first) if first < verb else scope_start


# -- a denial's reach over a list

_FUNCTION_WORDS = {
    "a", "an", "the", "any", "of", "and", "or", "nor", ",", "-", ":", "?", "!", "(", ")", "/", "&", "+", "to",
    "at", "all", "in", "on", "my", "i", "im", "ive", "me", "really", "very", "so", "just", "too", "is", "am",
    "are", "was", "were", "been", "be", "de", "des", "la", "le", "les", "du", "un", "une", "el", "los", "las",
    "y", "o", "et", "ou", "en", "je", "j", "me", "yo", "ai", "he", "have", "had", "has", "having", "get", "got",
    "getting", "experienced", "experiencing", "felt", "feel", "feeling", "eu", "tenido", "tengo", "tuve",
    "at all", "anymore", "today", "since", "for", "week", "lately", "recently", "yet",
}
_JOINTS = {",", "and", "or", "nor", "/", "&", "+", "et", "ou", "ni", "y", "o", "ni", "-"}
_NEW_CLAUSE = {",", "and", "but", "so", "then", "now", "-", "(", ":", "et", "y", "mais", "pero", "puis"}
_ALTERNATIVES = {"or", "nor", "ni", "ou", "o", "/"}
BODY_PARTS = {"lip", "lips", "tongue", "face", "mouth", "throat", "chest", "breath", "eyes", "cheeks", "neck",
              "lèvres", "langue", "visage", "gorge", "labios", "lengua", "cara", "garganta"}
NEGATION_REACH = 4  # a denial reaches a sign at most this many meaningful words after it, outside a list
SYMPTOM_WORDS = {
    "rash", "rashes", "hives", "itch", "itching", "itchy", "swelling", "dizzy", "dizziness", "nausea",
    "nauseous", "sick", "vomiting", "headache", "headaches", "fever", "pain", "pains", "tremor", "tremors",
    "shakes", "shaking", "shakiness", "sweats", "sweating", "fainting", "drowsiness", "drowsy", "tingling",
    "numbness", "cramps", "spasms", "stiffness", "weakness", "palpitations", "anxiety", "cravings", "symptoms",
    "fits", "fit", "seizures", "seizure", "convulsions", "visions", "voices", "dts", "hallucinations",
    "confusion", "blackouts", "blackout", "sleepiness", "problems", "issues", "withdrawal", "jerks", "twitching",
    "thoughts", "suicidal", "wheezing", "sob", "shortness", "wheeze", "breathlessness", "swallowing", "breathing", "choking", "tightness",
    "tremblements", "vertiges", "nausées", "convulsiones", "temblores", "mareos", "náuseas", "crises",
}


def _allowed(modifier: Modifier, words: list[str], start: int, end: int) -> bool:
    """Whether a modifier reaches this target: a denial over a list of symptoms only, or a short way."""
    if modifier.category != NEGATED or modifier.rule.direction == BACKWARD or modifier.end > start:
        return True
    items: list[list[str]] = [[]]
    between = words[modifier.end : start]
    if any(w in _JOINTS for w in between) and all(w in _ALTERNATIVES for w in between if w in _JOINTS):
        return True  # a denial always reaches across "or": "haven't had a drink or any seizures"
    for word in between:
        if word in _JOINTS:
            items.append([])
        elif word not in _FUNCTION_WORDS:
            items[-1].append(word)
    if len(items) == 1:
        return len(items[0]) < NEGATION_REACH
    # A list: a denial carries over other symptoms ("no rash, hives or confusion"), never over a
    # complaint about something else ("no energy, confused", "didn't drink and confused").
    done = [item for item in items[:-1] if item]
    return (len(items[0]) < NEGATION_REACH and len(items[-1]) <= 2
            and all(is_symptom(item[-1]) or item[-1] in BODY_PARTS for item in done))


_symptom_checks: list[Callable[[str], bool]] = []


@lru_cache(maxsize=4096)
def is_symptom(word: str) -> bool:
    """Whether a word names a symptom, by the list above or by the note reader's own phrases."""
    return word in SYMPTOM_WORDS or any(check(word) for check in _symptom_checks)


def recognise_symptoms(check: Callable[[str], bool]) -> None:
    """Let the note reader's phrases count as symptom words in a denied list."""
    _symptom_checks.append(check)
    is_symptom.cache_clear()


# -- other senses of a sign's words: not modifiers, the sign is simply not there

# No leading \b: without it the engine skips ahead to the first letters the figures can start with.
OTHER_SENSES = re.compile(
    r"(?:"
    r"dying (?:for|to) (?:a|an|some|my|the|get|go|see|know|try|have)\b[^.!?\n]{0,40}"
    r"|(?:could|would|'d|’d) kill (?:for|someone|him|her|them)\b"
    r"|kill(?:ing|ed|s)? it\b|killing (?:me|my back|my feet)\b|killed me\b"
    r"|(?:fits?|fit) of (?:laughter|laughing|giggles|rage|temper|coughing|sneezing)"
    r"|(?:threw|throw|throwing|have|had|having) a (?:hissy |wobbly )?fit (?:about|over|when|because)\b"
    r"|hissy fit|pitched a fit|(?:a|the) fit (?:of|for)\b|fits? (?:well|fine|nicely|perfectly|better)\b"
    r"|seiz(?:ed|e|ing) (?:the|this|that|an?|my|every|our) (?:day|moment|opportunity|chance|initiative|car|assets?|goods)\b"
    r"|seized up\b|(?:engine|car|back|knee|neck|shoulder|joints?|bike|chain|lock|pump) (?:has |had |have )?seized"
    r"|chok(?:ed|ing|e) (?:on|back) (?:my|the|his|her)? ?(?:words|tears|laughter|laughing)"
    r"|chok(?:ed|ing) up\b|choked with (?:emotion|tears)"
    r"|(?:took|takes|take|taking) (?:my|the|your) breath away|breath ?taking"
    # puzzled by something, not confused in mind: "confused about the new dose times", "confused my tablets"
    r"|(?:bit |a little |kinda |totally |so )?confus(?:ed|ion) (?:about|by|over|as to|re|why)\b"
    r"(?! (?:where|who|what (?:day|year|time|month)|everything|anything|myself))"
    r"|confused (?:my|the|his|her|their|them|two|both)\b"
    # out of breath from exercise or laughter, a lump in the throat from emotion, a stifling situation
    r"|(?:out of breath|breathless|winded|puffed|wheezy|couldn'?t breathe|could barely breathe)"
    r"(?: \w+){0,3} (?:from|after|with|for|at the top)"
    r" (?:\w+ ){0,2}(?:laugh\w*|giggl\w*|excitement|running|the run|a run|dancing|climbing|the gym|gym|stairs"
    r"|exercise|rollercoaster|the walk|cycling|swimming)"
    r"|lump in (?:my|the) throat (?:at|when|reading|watching|thinking|listening|hearing|the whole)"
    r"|(?:is|was|feels|so) suffocating|suffocating (?:in|living)|breathe a word|breathe through (?:it|my nose|the nose)"
    r"|(?:practi[sc]ed?|practi[sc]ing|doing|did) (?:some )?slow breathing|slow breathing (?:exercises?|techniques?)"
    r"|(?:exercices?|ejercicios?) de respira\w*|(?:essouffl\w*|ahog\w*) (?:\w+ ){0,3}(?:footing|course|risa|rire|correr)"
    r"|confusing|(?:bored|scared|frightened|worried|tickled|loved) to death|to die for|dead tired|dead on my feet"
    r"|(?:nearly|almost) died (?:laughing|of (?:embarrassment|shame|boredom))|died laughing"
    r"|(?:take|taking|took) all (?:of )?my (?:tablets|pills|meds|medications?|doses?) "
    r"(?:as prescribed|on time|with food|today|yesterday|this week|like|correctly|properly|every)"
    r"|drop dead gorgeous|dead (?:easy|good|funny|chuffed)"
    r"|mourir de rire|morir de risa|me muero de (?:ganas|hambre|sed|risa|sueño)|meurs de (?:faim|soif|rire)"
    r")",
    re.IGNORECASE,
)


def other_senses(text: str) -> list[tuple[int, int]]:
    """Return the spans of a text that are figures of speech."""
    return [m.span() for m in OTHER_SENSES.finditer(text) if m.start() == 0 or not text[m.start() - 1].isalnum()]


def other_sense(sentence: str, start: int, end: int) -> bool:
    """Whether the words at start..end of a sentence lie inside a figure of speech."""
    return any(s < end and start < e for s, e in other_senses(sentence))
