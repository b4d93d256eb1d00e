"""The note reader: the signs it finds in what patients type, and the ones it must leave alone."""
import dataclasses

import pytest

from service.rules import semantic
from service.rules.notes import PHRASES, NoteFinding, read_note
from service.rules.semantic import SemanticMatch


@pytest.fixture(autouse=True)
def phrases_only(monkeypatch):
    """These tests read the phrase layer and ConText: the semantic layer finds nothing unless a
    test says what it finds (`semantic_finds`). The trained model is tested in test_semantic.py
    and measured by `notes evaluate`."""
    monkeypatch.setattr(semantic, "classify", lambda text, spans, shares: [[] for _ in spans])


def codes(text):
    return [finding.code for finding in read_note(text)]


# (note, code, the words that matched): plain words, slang, misspellings, odd spacing and apostrophes.
FOUND = [
    # swelling_face_lips_tongue
    ("lips swelling", "swelling_face_lips_tongue", "lips swelling"),
    ("swollen lips since lunch", "swelling_face_lips_tongue", "swollen lips"),
    ("my face is swollen", "swelling_face_lips_tongue", "face is swollen"),
    ("tongue feels big", "swelling_face_lips_tongue", "tongue feels big"),
    ("my tongue feels thick and weird", "swelling_face_lips_tongue", "tongue feels thick"),
    ("my tounge is swolen", "swelling_face_lips_tongue", "tounge is swolen"),
    ("Face's all puffy", "swelling_face_lips_tongue", "Face's all puffy"),
    ("swelling in my throat", "swelling_face_lips_tongue", "swelling in my throat"),
    ("my lips r swelled up", "swelling_face_lips_tongue", "lips r swelled up"),
    # throat_tightness
    ("throat is closing", "throat_tightness", "throat is closing"),
    ("throat feels tight", "throat_tightness", "throat feels tight"),
    ("my throat is closing up", "throat_tightness", "throat is closing up"),
    ("tightness in my throat", "throat_tightness", "tightness in my throat"),
    ("my throte feels tite", "throat_tightness", "throte feels tite"),
    ("its hard to swallow", "throat_tightness", "hard to swallow"),
    ("cant swalow anything", "throat_tightness", "cant swalow"),
    # difficulty_breathing
    ("I can't breathe", "difficulty_breathing", "can't breathe"),
    ("cant breath", "difficulty_breathing", "cant breath"),
    ("cant breathe", "difficulty_breathing", "cant breathe"),
    ("I cannot breathe", "difficulty_breathing", "cannot breathe"),
    ("I can’t   breathe!!!", "difficulty_breathing", "can’t   breathe"),
    ("struggling to breathe", "difficulty_breathing", "struggling to breathe"),
    ("wheezing all night", "difficulty_breathing", "wheezing"),
    ("weezing", "difficulty_breathing", "weezing"),
    ("so short of breath", "difficulty_breathing", "short of breath"),
    ("shortness of breath", "difficulty_breathing", "shortness of breath"),
    ("I can't catch my breath", "difficulty_breathing", "can't catch my breath"),
    ("I can't breathe properly", "difficulty_breathing", "can't breathe"),
    # slow_breathing
    ("breathing very slow tonight", "slow_breathing", "breathing very slow"),
    ("barely breathing", "slow_breathing", "barely breathing"),
    ("shallow breathing", "slow_breathing", "shallow breathing"),
    ("my breathing is really slow", "slow_breathing", "breathing is really slow"),
    ("brething so slow", "slow_breathing", "brething so slow"),
    ("hardly breathin", "slow_breathing", "hardly breathin"),
    ("I stopped breathing in my sleep", "slow_breathing", "stopped breathing"),
    ("slow shallow breaths", "slow_breathing", "shallow breaths"),
    # seizure
    ("had a seizure this morning", "seizure", "seizure"),
    ("had a sezure last night", "seizure", "sezure"),
    ("I think I had a seisure", "seizure", "seisure"),
    ("siezure at work", "seizure", "siezure"),
    ("had a seizer", "seizure", "seizer"),
    ("had a fit", "seizure", "had a fit"),
    ("convulsions all night", "seizure", "convulsions"),
    ("I was convulsing", "seizure", "convulsing"),
    ("blacked out and shook", "seizure", "blacked out and shook"),
    ("I passed out and was shaking", "seizure", "passed out and was shaking"),
    ("SEIZURES", "seizure", "SEIZURES"),
    # hallucinations
    ("halucinations", "hallucinations", "halucinations"),
    ("I keep hallucinating", "hallucinations", "hallucinating"),
    ("hallucinated last night", "hallucinations", "hallucinated"),
    ("seeing things", "hallucinations", "seeing things"),
    ("hearing voices again", "hallucinations", "hearing voices"),
    ("bugs crawling on my arms", "hallucinations", "bugs crawling"),
    ("seeing things that aren't there", "hallucinations", "seeing things that aren't there"),
    ("things   that  aren’t there", "hallucinations", "things   that  aren’t there"),
    ("I saw people that werent there", "hallucinations", "saw people that werent there"),
    # confusion
    ("confused", "confusion", "confused"),
    ("im so confussed", "confusion", "confussed"),
    ("I’m   CONFUSED!!!", "confusion", "CONFUSED"),
    ("I don't know where I am", "confusion", "don't know where I am"),
    ("dont know where im", "confusion", "dont know where im"),
    ("can't think straight", "confusion", "can't think straight"),
    ("cant think clearly", "confusion", "cant think clearly"),
    ("disoriented", "confusion", "disoriented"),
    ("very disorientated today", "confusion", "disorientated"),
    ("woke up and forgot where I was", "confusion", "forgot where I was"),
    # suicidal_thoughts
    ("I just want to die", "suicidal_thoughts", "want to die"),
    ("i wanna die", "suicidal_thoughts", "wanna die"),
    ("going to kill myself", "suicidal_thoughts", "kill myself"),
    ("Had a bad week. Honestly I want to end it all.", "suicidal_thoughts", "end it all"),
    ("I want to end my life", "suicidal_thoughts", "end my life"),
    ("no reason to live", "suicidal_thoughts", "no reason to live"),
    ("everyone would be better off dead", "suicidal_thoughts", "better off dead"),
    ("feeling suicidal", "suicidal_thoughts", "suicidal"),
    ("sucidal thoughts", "suicidal_thoughts", "sucidal"),
    ("I don't want to be here anymore", "suicidal_thoughts", "don't want to be here"),
    ("I dont want to be here anymore", "suicidal_thoughts", "dont want to be here"),
    ("I'm going to take all my pills", "suicidal_thoughts", "take all my pills"),
    ("I can't stop thinking about killing myself", "suicidal_thoughts", "killing myself"),
    ("I wish I could just die", "suicidal_thoughts", "wish I could just die"),
    ("life isn't worth living", "suicidal_thoughts", "isn't worth living"),
    ("I want 2 die", "suicidal_thoughts", "want 2 die"),
]

# The patient's own clause, a hedge, or a phrase that carries its own negation: still found.
FOUND_DESPITE_OTHER_WORDS = [
    ("I had a seizure, my brother called 911", "seizure"),
    ("my brother called 911 because I had a seizure", "seizure"),
    ("I'm not sure but I think I had a seizure", "seizure"),
    ("not sure if it was a seizure", "seizure"),
    ("No idea why but I can't breathe", "difficulty_breathing"),
    ("didn't sleep and can't breathe", "difficulty_breathing"),
    ("No, I can't breathe", "difficulty_breathing"),
    ("my wife says I'm confused", "confusion"),
    ("my husband found me convulsing", "seizure"),
    ("I took my son to school and had a seizure", "seizure"),
    ("they think it was a seizure", "seizure"),
    ("didn't sleep well, hallucinating", "hallucinations"),
    ("I have never been so confused", "confusion"),
    ("never felt this confused in my life", "confusion"),
    ("not good, confused and dizzy", "confusion"),
    ("No seizures last week. Today I had a SEIZURE", "seizure"),
    ("no symptoms except wheezing", "difficulty_breathing"),
    ("my mum visited. I can't breathe", "difficulty_breathing"),
    ("not sure if confused or just tired", "confusion"),
    # a negation carries over a list of symptoms only, not over another complaint
    ("no energy, confused", "confusion"),
    ("no hope, want to die", "suicidal_thoughts"),
    ("not coping, want to die", "suicidal_thoughts"),
    ("didn't drink and confused", "confusion"),
]

# Negated, or about someone else: (note, the code that must not be found).
NOT_FOUND = [
    ("no rash, no swelling, breathing fine today", "swelling_face_lips_tongue"),
    ("no rash, no swelling, breathing fine today", "difficulty_breathing"),
    ("no swelling of my lips", "swelling_face_lips_tongue"),
    ("face isn't swollen", "swelling_face_lips_tongue"),
    ("my partner's face is swollen", "swelling_face_lips_tongue"),
    ("no tightness in my throat", "throat_tightness"),
    ("throat is not tight", "throat_tightness"),
    ("her throat feels tight", "throat_tightness"),
    ("not wheezing", "difficulty_breathing"),
    ("no shortness of breath", "difficulty_breathing"),
    ("no trouble breathing", "difficulty_breathing"),
    ("mum can't breathe well", "difficulty_breathing"),
    ("breathing not slow", "slow_breathing"),
    ("breathing is fine, not shallow breathing at all", "slow_breathing"),
    ("my dad was barely breathing", "slow_breathing"),
    ("didn't have a seizure", "seizure"),
    ("did not have any seizures", "seizure"),
    ("never had a fit", "seizure"),
    ("haven't had any fits", "seizure"),
    ("no seizures or hallucinations", "seizure"),
    ("no seizures or hallucinations", "hallucinations"),
    ("my brother had a seizure", "seizure"),
    ("someone had a fit on the bus", "seizure"),
    ("I think my son had a seizure", "seizure"),
    ("last night my brother had a seizure", "seizure"),
    ("Seizures: none.", "seizure"),
    ("seizure-free for a month", "seizure"),
    ("free of seizures", "seizure"),
    ("without any hallucinations", "hallucinations"),
    ("no longer hearing voices", "hallucinations"),
    ("she is seeing things", "hallucinations"),
    ("they're hallucinating", "hallucinations"),
    ("hallucinations? no", "hallucinations"),
    ("I'm seeing things more clearly now", "hallucinations"),
    ("not confused", "confusion"),
    ("not confused at all", "confusion"),
    ("no longer confused", "confusion"),
    ("my wife is confused", "confusion"),
    ("no hallucinations, no seizures, no confusion", "confusion"),
    ("no seizures, hallucinations or confusion", "confusion"),
    ("no rash, hives, swelling or confusion", "confusion"),
    ("no pain or confusion", "confusion"),
    ("no siezures or halucinations", "hallucinations"),
    ("neither seizures nor hallucinations", "hallucinations"),
    ("forgot where I put my keys", "confusion"),
    ("denies suicidal thoughts", "suicidal_thoughts"),
    ("no thoughts of killing myself", "suicidal_thoughts"),
    ("not suicidal", "suicidal_thoughts"),
    ("never wanted to kill myself", "suicidal_thoughts"),
    ("I don't want to die", "suicidal_thoughts"),
    ("my dad's suicidal", "suicidal_thoughts"),
    ("He wants to die", "suicidal_thoughts"),
]

NO_SIGNS = [
    "Feeling good, walked the dog.",
    "Feeling fit and well, went to the gym to get fit",
    "had a great day, breathing exercises helped",
    "I'm seeing things differently now",
    "took 30mg at 8am, craving 3/10",
]


@pytest.mark.parametrize("text, code, words", FOUND, ids=[f"{c}: {t}" for t, c, _ in FOUND])
def test_finds_the_sign_and_the_words(text, code, words):
    assert NoteFinding(code, words) in read_note(text)


@pytest.mark.parametrize("text, code", FOUND_DESPITE_OTHER_WORDS, ids=[t for t, _ in FOUND_DESPITE_OTHER_WORDS])
def test_finds_the_patients_sign_beside_other_words(text, code):
    assert code in codes(text)


@pytest.mark.parametrize("text, code", NOT_FOUND, ids=[f"{c}: {t}" for t, c in NOT_FOUND])
def test_leaves_a_negated_sign_or_someone_elses_alone(text, code):
    assert code not in codes(text)


@pytest.mark.parametrize("text", NO_SIGNS)
def test_an_ordinary_note_has_no_signs(text):
    assert read_note(text) == ()


@pytest.mark.parametrize("code", sorted(PHRASES))
def test_every_code_has_six_phrasings_found_and_three_left_alone(code):
    assert sum(c == code for _, c, _ in FOUND) >= 6
    assert sum(c == code for _, c in NOT_FOUND) >= 3


def test_the_table_covers_exactly_the_eight_signs():
    assert set(PHRASES) == {
        "swelling_face_lips_tongue", "throat_tightness", "difficulty_breathing", "slow_breathing",
        "seizure", "hallucinations", "confusion", "suicidal_thoughts",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Can't breathe and my lips are swelling", ["swelling_face_lips_tongue", "difficulty_breathing"]),
        ("hearing voices and had a fit", ["seizure", "hallucinations"]),
        ("so confused. want to die", ["confusion", "suicidal_thoughts"]),
        ("no rash but I can't breathe", ["difficulty_breathing"]),
        ("no seizures, but I'm seeing things", ["hallucinations"]),
        ("not suicidal; confused though", ["confusion"]),
        ("my brother had a seizure and I was so confused", ["confusion"]),
    ],
)
def test_a_note_with_several_signs_finds_each_that_counts(text, expected):
    assert codes(text) == expected


def test_findings_come_in_the_order_of_the_table():
    text = "want to die, seeing things, had a seizure, can't breathe, throat feels tight, lips swollen"
    assert codes(text) == [
        "swelling_face_lips_tongue", "throat_tightness", "difficulty_breathing", "seizure", "hallucinations",
        "suicidal_thoughts",
    ]


def test_one_finding_per_code_the_first_that_counts():
    found = read_note("no seizures in May. Had a Seizure on Monday and another seizure today, convulsions too")
    assert found == (NoteFinding("seizure", "Seizure"),)


@pytest.mark.parametrize("text", [None, "", "   ", "\n"])
def test_no_note_no_findings(text):
    assert read_note(text) == ()


def test_a_finding_is_a_frozen_value():
    finding = read_note("confused")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.code = "seizure"


def test_a_long_note_without_signs():
    text = ("Took my dose with breakfast, walked the dog, spoke to my sister about the weekend, "
            "craving was low and I slept well. ") * 20
    assert len(text) > 2000
    assert read_note(text[:2000]) == ()


@pytest.mark.parametrize(
    "text",
    [
        "face" + " " * 1995,
        "throat" + ", " * 997,
        "face is " * 250,
        "lips is is is is is " * 100,
        "breathing " * 200,
        "no " * 666,
        "no seizures, " * 150,
        "s" * 2000,
        "h" + "l" * 1999,
        "'" * 2000,
        "seizure" + ":" * 1000 + " " * 990,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_notes_built_to_make_a_regex_backtrack_are_read_in_one_pass(text):
    # The patterns have no nested open-ended repeats, and separators are possessive,
    # so these finish at once; a catastrophic pattern would hang here instead.
    read_note(text)


# -- sentences, and the two layers

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Had a fit. Now fine!", ["Had a fit.", " Now fine!"]),
        ("seizures? no", ["seizures? no"]),
        ("line one\nline two", ["line one\n", "line two"]),
        ("took my dose 😊 feeling odd", ["took my dose 😊", " feeling odd"]),
        ("had a drink lol then bed", ["had a drink lol", " then bed"]),
        ("took 30mg at 8 and then walked the dog and then had a fit on the kitchen floor",
         ["took 30mg at 8", " and then walked the dog", " and then had a fit on the kitchen floor"]),
        ("short note and then more", ["short note and then more"]),
    ],
)
def test_a_note_is_read_sentence_by_sentence(text, expected):
    from service.rules.notes import sentences
    assert [text[start:end] for start, end in sentences(text)] == expected


@pytest.fixture
def semantic_finds(monkeypatch):
    """Make the semantic layer match every sentence it is given to `code`, and record what it was given."""
    given = []

    def install(code):
        def classify(text, spans, shares):
            assert len(shares) == len(spans)
            given.extend(text[start:end].strip() for start, end in spans)
            return [[SemanticMatch(code, 0.97, 0.8123, "an example")] for _ in spans]
        monkeypatch.setattr(semantic, "classify", classify)
        return given

    return install


def test_the_semantic_layer_reads_every_sentence_and_a_phrase_keeps_its_own_words(semantic_finds):
    given = semantic_finds("seizure")
    found = read_note("I'm so confused. Woke on the floor with a bitten tongue.")
    assert given == ["I'm so confused.", "Woke on the floor with a bitten tongue."]
    assert found == (
        NoteFinding("seizure", "I'm so confused.", "semantic", "an example", 0.812),
        NoteFinding("confusion", "confused"),
    )


def test_a_dismissed_phrase_keeps_its_sign_from_the_semantic_layer(semantic_finds):
    semantic_finds("seizure")
    assert read_note("no seizures") == ()
    assert read_note("My dad had a seizure, I was scared") == ()


@pytest.mark.parametrize(
    "text",
    ["No fits, no voices.", "My brother had one of his turns.", "Will I start seeing things at 40mg?",
     "That all went away last year."],
)
def test_a_semantic_match_in_a_dismissed_sentence_is_dropped(semantic_finds, text):
    semantic_finds("hallucinations")
    assert read_note(text) == ()


@pytest.mark.parametrize("text", ["I keep losing time and waking on the floor.", "Rash gone. I'm so out of it."])
def test_a_semantic_match_stands_without_a_clear_modifier(semantic_finds, text):
    semantic_finds("seizure")
    assert codes(text) == ["seizure"]


@pytest.mark.parametrize("text", ["face isn't swollen", "my lips are not puffy", "not dizzy at all"])
def test_a_sentence_denied_whole_is_closed_to_the_semantic_layer(semantic_finds, text):
    semantic_finds("swelling_face_lips_tongue")
    assert codes(text) == []


@pytest.mark.parametrize("text", ["No rash, I'm so out of it.", "not enough air no matter how hard I try"])
def test_a_denial_of_part_of_a_sentence_leaves_the_rest_to_the_semantic_layer(semantic_finds, text):
    semantic_finds("difficulty_breathing")
    assert codes(text) == ["difficulty_breathing"]


def test_a_semantic_match_never_repeats_a_phrase_finding(semantic_finds):
    semantic_finds("confusion")
    assert read_note("confused. totally lost") == (NoteFinding("confusion", "confused"),)


@pytest.mark.parametrize(
    "text, code",
    [
        ("haven't had tremors, seizures or any visions", "seizure"),
        ("no fits no voices", "hallucinations"),
        ("the leaflet says it can cause confusion", "confusion"),
        ("scared of having a seizure at work if I miss a dose", "seizure"),
        ("had a seizure back in 2018, none since", "seizure"),
        ("watched a film where the main guy hears voices", "hallucinations"),
        ("dying for a drink", "suicidal_thoughts"),
        ("fits of laughter at the pub", "seizure"),
        ("confused about the dose times", "confusion"),
        ("pas de convulsions", "seizure"),
        ("mon frère a fait une convulsion", "seizure"),
        ("no tengo convulsiones", "seizure"),
        ("¿el baclofeno puede dar convulsiones?", "seizure"),
    ],
)
def test_context_leaves_alone_what_is_not_the_patients_present_sign(text, code):
    assert code not in codes(text)


@pytest.mark.parametrize(
    "text, code",
    [
        ("no seizures but I'm really confused", "confusion"),
        ("my brother called, I had a fit", "seizure"),
        ("je suis très confus", "confusion"),
        ("je ne peux pas respirer", "difficulty_breathing"),
        ("no puedo respirar", "difficulty_breathing"),
        ("quiero morirme", "suicidal_thoughts"),
        ("tengo alucinaciones", "hallucinations"),
    ],
)
def test_context_keeps_the_patients_sign(text, code):
    assert code in codes(text)
