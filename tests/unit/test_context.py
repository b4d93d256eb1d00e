"""ConText: which modifiers apply to a sign in a sentence, by category, direction and scope."""
import pytest

from service.rules import context
from service.rules.context import HISTORICAL, HYPOTHETICAL, NEGATED, OTHER


def categories(sentence, target):
    """The categories of the modifiers that apply to the first occurrence of `target` in `sentence`."""
    start = sentence.lower().index(target.lower())
    read = context.read(sentence)
    return {m.category for m in read.modifiers_of(*read.token_span(start, start + len(target)))}


# (sentence, the sign's words, the categories that apply to it)
CASES = [
    # direction: forward, backward, bidirectional
    ("no seizures", "seizures", {NEGATED}),
    ("seizures: none", "seizures", {NEGATED}),
    ("seizure-free for a month", "seizure", {NEGATED}),
    ("seizures denied", "seizures", {NEGATED}),
    ("confusion, a side effect?", "confusion", {HYPOTHETICAL}),
    ("hallucinations? no", "hallucinations", {NEGATED}),
    # scope: to the sentence's end, cut short by a terminator, by a new clause of the patient's, or by max scope
    ("no rash but I'm confused", "confused", set()),
    ("no seizures however confused", "confused", set()),
    ("pas de convulsions mais confus", "confus", set()),
    ("sin convulsiones pero confundido", "confundido", set()),
    ("didn't sleep, I'm confused", "confused", set()),
    ("no energy and my face is swollen", "face is swollen", set()),
    ("no swelling of my lips", "swelling", {NEGATED}),
    ("not feeling myself at all lately and confused", "confused", set()),
    ("had a seizure and the rash has gone", "seizure", set()),
    # pseudo-triggers: a trigger's words meaning something else
    ("no doubt I had a seizure", "seizure", set()),
    ("not only confused but shaking", "confused", set()),
    ("not sure if it was a seizure", "seizure", set()),
    ("I have never been so confused", "confused", set()),
    ("je n'ai jamais été aussi confus", "confus", set()),
    ("no increase in seizures", "seizures", set()),
    # a denial covers the list it heads, and not a complaint after it
    ("haven't had tremors, seizures or any visions", "visions", {NEGATED}),
    ("no fits no voices", "voices", {NEGATED}),
    ("nil seizures", "seizures", {NEGATED}),
    ("free of seizures", "seizures", {NEGATED}),
    ("denies hallucinations", "hallucinations", {NEGATED}),
    ("without any hallucinations", "hallucinations", {NEGATED}),
    ("never had a fit", "fit", {NEGATED}),
    ("haven't had a drink or any seizures", "seizures", {NEGATED}),
    ("no lip or tongue swelling", "tongue swelling", {NEGATED}),
    ("no energy, confused", "confused", set()),
    ("didn't drink and confused", "confused", set()),
    ("no seizures but I'm really confused", "confused", set()),
    ("not coping, want to die", "want to die", set()),
    # someone or something else, named or not
    ("my brother had a seizure", "seizure", {OTHER}),
    ("mum can't breathe", "can't breathe", {OTHER}),
    ("the dog had a fit", "fit", {OTHER}),
    ("my mate was hallucinating", "hallucinating", {OTHER}),
    ("her throat feels tight", "throat feels tight", {OTHER}),
    ("they're hallucinating", "hallucinating", {OTHER}),
    ("Sarah had a seizure at work", "seizure", {OTHER}),
    ("watched a film where the guy hears voices", "voices", {OTHER}),
    ("on the news a man was confused", "confused", {OTHER}),
    ("the old man upstairs was confused", "confused", {OTHER}),
    ("mon frère a fait une convulsion", "convulsion", {OTHER}),
    ("mi hermano tuvo una convulsión", "convulsión", {OTHER}),
    ("mon oncle a fait une crise d'épilepsie", "crise d'épilepsie", {OTHER}),
    ("al vecino lo encontraron convulsionando", "convulsionando", {OTHER}),
    ("mon mari dit que j'ai fait une convulsion", "convulsion", set()),
    ("my brother called, I had a fit", "fit", set()),
    ("my wife says I'm confused", "confused", set()),
    ("I took my son to school and had a seizure", "seizure", set()),
    ("they think it was a seizure", "seizure", set()),
    # hypothetical, question, information
    ("if I have a seizure who do I call", "seizure", {HYPOTHETICAL}),
    ("could baclofen cause seizures?", "seizures", {HYPOTHETICAL}),
    ("will I start seeing things at 40mg?", "seeing things", {HYPOTHETICAL}),
    ("the leaflet says it can cause confusion", "confusion", {HYPOTHETICAL}),
    ("warned about seizures if I stop suddenly", "seizures", {HYPOTHETICAL}),
    ("watch for confusion", "confusion", {HYPOTHETICAL}),
    ("the nurse asked if I had hallucinations", "hallucinations", {HYPOTHETICAL}),
    ("scared of having a seizure at work", "seizure", {HYPOTHETICAL}),
    ("in case of a seizure call the clinic", "seizure", {HYPOTHETICAL}),
    ("what do I do, I can't breathe?", "can't breathe", set()),
    ("I could barely breathe", "could barely breathe", set()),
    ("est-ce que le baclofène peut donner des convulsions ?", "convulsions", {HYPOTHETICAL}),
    ("¿el baclofeno puede dar convulsiones?", "convulsiones", {HYPOTHETICAL}),
    ("au cas où j'aurais une convulsion", "convulsion", {HYPOTHETICAL}),
    ("por si tengo una convulsión", "convulsión", {HYPOTHETICAL}),
    # over and done
    ("the hallucinations went away", "hallucinations", {HISTORICAL}),
    ("no longer hearing voices", "hearing voices", {HISTORICAL}),
    ("used to hear voices", "hear voices", {HISTORICAL}),
    ("had a seizure years ago", "seizure", {HISTORICAL}),
    ("had a seizure back in 2018", "seizure", {HISTORICAL}),
    ("was confused last night but back to normal", "confused", {HISTORICAL}),
    ("I was suicidal at Christmas but it passed", "suicidal", {HISTORICAL}),
    ("the seizures stopped", "seizures", {HISTORICAL}),
    ("I stopped breathing in my sleep", "stopped breathing", set()),
    ("confused since I stopped drinking", "confused", set()),
    ("had a fit years ago and today had another seizure", "another seizure", set()),
    ("les hallucinations ont disparu", "hallucinations", {HISTORICAL}),
    ("the puffy lip is totally gone", "puffy lip", {HISTORICAL}),
    ("la confusion est finie", "confusion", {HISTORICAL}),
    ("se me quitó lo de la garganta apretada", "garganta apretada", set()),  # the cue looks back, not ahead
    ("la garganta apretada se me quitó", "garganta apretada", {HISTORICAL}),
    ("now I'm seeing shadows and I went down and shook", "seeing shadows", set()),  # "went down": fell
    ("las alucinaciones desaparecieron", "alucinaciones", {HISTORICAL}),
]


@pytest.mark.parametrize("sentence, target, expected", CASES, ids=[c[0] for c in CASES])
def test_modifiers_that_apply_to_a_sign(sentence, target, expected):
    assert categories(sentence, target) == expected


# Figures of speech: the sign's words in another sense (sentence, the words).
OTHER_SENSES = [
    ("dying for a drink", "dying"),
    ("smashed it at work, killing it", "killing it"),
    ("fits of laughter all evening", "fits"),
    ("seized the day", "seized"),
    ("choking on my words", "choking"),
    ("the view took my breath away", "breath"),
    ("confused about the dose times", "confused"),
    ("out of breath from laughing", "out of breath"),
    ("me muero de ganas de verte", "muero"),
]


@pytest.mark.parametrize("sentence, words", OTHER_SENSES, ids=[s for s, _ in OTHER_SENSES])
def test_a_figure_of_speech_is_another_sense(sentence, words):
    start = sentence.index(words)
    assert context.other_sense(sentence, start, start + len(words))


@pytest.mark.parametrize("sentence", ["I'm confused about where I am", "I'm so confused", "I'm choking"])
def test_the_sign_itself_is_no_figure_of_speech(sentence):
    assert not any(context.OTHER_SENSES.finditer(sentence))


@pytest.mark.parametrize(
    "sentence, dismissed",
    [
        ("No fits, no voices.", True),
        ("My brother had one of his turns.", True),
        ("Will I start seeing things at 40mg?", True),
        ("That all went away last year.", True),
        ("No rash, I'm so out of it.", False),
        ("I keep losing time and waking on the floor.", False),
        ("Feeling like the walls are closing in", False),
    ],
)
def test_a_sentence_as_a_whole_is_dismissed_only_on_a_clear_modifier(sentence, dismissed):
    assert context.read(sentence).dismisses_all() is dismissed


@pytest.mark.parametrize(
    "sentence, words",
    [
        ("I can't breathe", ["i", "cant", "breathe"]),
        ("je n'ai pas eu de convulsions", ["je", "n", "ai", "pas", "eu", "de", "convulsions"]),
        ("seizure-free?", ["seizure", "-", "free", "?"]),
        ("¿Tengo convulsiones?", ["¿", "tengo", "convulsiones", "?"]),
    ],
)
def test_tokens_are_lower_case_words_contractions_joined_elisions_apart(sentence, words):
    assert [t.text for t in context.tokenize(sentence)] == words


def test_a_token_keeps_its_place_in_the_sentence():
    tokens = context.tokenize("J'ai mal")
    assert [(t.text, t.start, t.end) for t in tokens] == [("j", 0, 1), ("ai", 2, 4), ("mal", 5, 8)]


def test_max_scope_bounds_a_backward_trigger():
    read = context.read("seizure yesterday, rash today - free")
    assert [m.category for m in read.modifiers_of(0, 1)] == []
