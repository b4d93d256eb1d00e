"""The catalogue of warning signs, as data: the rules, the symptom vocabulary, the sedatives.

This module is `warning-signs.md` in code, row for row and in the table's order. The engine
(`engine.py`) applies the rules; the API serves this catalogue. Change a rule's meaning here and
bump its `version`, so a flag always says which version of the rule raised it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

SEVERITY_RANK: Mapping[str, int] = MappingProxyType({"moderate": 1, "high": 2, "urgent": 3})

SEED_DOCUMENT = "baclofen-aud.txt"
CLINICAL_PRACTICE = "clinical practice"
# What a reader is shown for a source's `document`: the seed document's own title (its first
# lines), and for the rules that stand on practice around it, words saying so.
DOCUMENT_TITLES: Mapping[str, str] = MappingProxyType({
    SEED_DOCUMENT: "Clinical experience of baclofen in alcohol dependence: A chart review",
    CLINICAL_PRACTICE: "Standard clinical practice (not a quotation from the document)",
})


def document_title(document: str) -> str:
    """The title to show for a source's `document`; an unknown one is shown as it is."""
    return DOCUMENT_TITLES.get(document, document)


@dataclass(frozen=True)
class Rule:
    """One row of the catalogue."""

    code: str
    version: int
    severity: str  # the base severity of the table's severity column
    severities: tuple[str, ...]  # every severity the rule can take, base first
    title: str
    description: str  # "fires when", verbatim, with the stronger form of the severity column
    guidance: str  # what the patient is told, verbatim
    # {"document", "quote"}: a plain dict so the API can serve it as it is; left out of the hash.
    source: dict = field(hash=False)
    kind: str  # "seed": quotes the document; "clinical": standard practice around it
    # What it judges: "entry" (each entry as it comes), "questionnaire" (each response), "sweep"
    # (the periodic sweep, against the server's clock).
    judges: tuple[str, ...] = ("entry",)


def _seed(quote: str) -> dict:
    return {"document": SEED_DOCUMENT, "quote": quote}


def _clinical(quote: str) -> dict:
    return {"document": CLINICAL_PRACTICE, "quote": quote}


RULES: tuple[Rule, ...] = (
    Rule(
        code="anaphylaxis",
        version=1,
        severity="urgent",
        severities=("urgent",),
        title="Possible anaphylaxis",
        description=(
            "a reported `swelling_face_lips_tongue`, `throat_tightness` or `difficulty_breathing`;"
            " or `hives` or `rash` together with `fainting`, `lightheadedness` or"
            " `low_blood_pressure` in the same entry"
        ),
        guidance="Call emergency services now. This may be a serious allergic reaction.",
        source=_seed(
            "In rare instances, a person may experience a serious allergic reaction called"
            " anaphylaxis while taking baclofen."
        ),
        kind="seed",
    ),
    Rule(
        code="seizure_or_hallucinations",
        version=1,
        severity="urgent",
        severities=("urgent",),
        title="Seizure or hallucinations",
        description=(
            "a reported `seizure` or `hallucinations`; evidence records whether the baclofen daily"
            " totals dropped (as in `baclofen_withdrawal`) or drinking stopped in the 3 days before"
        ),
        guidance="Call emergency services now. Do not stop baclofen suddenly.",
        source=_clinical(
            "the oral baclofen label warns that abrupt withdrawal can cause hallucinations and"
            " seizures; seizures and hallucinations also mark severe alcohol withdrawal"
        ),
        kind="clinical",
    ),
    Rule(
        code="suicidal_thoughts",
        version=1,
        severity="urgent",
        severities=("urgent",),
        title="Suicidal thoughts",
        description=(
            "a reported `suicidal_thoughts`; or PHQ-9 item 9 (\"thoughts that you would be better off"
            " dead, or of hurting yourself\") answered 1, 2 or 3: a reported `suicidal_thoughts` with"
            " that severity; evidence names the questionnaire, item and answer"
        ),
        guidance="You are not alone. Call your local crisis line or emergency services now.",
        source=_clinical(
            "depression and suicidal thoughts are reported with baclofen in AUD; the document"
            " notes a patient with major depressive disorder; PHQ-9 item 9 is the standard suicide screen"
        ),
        kind="clinical",
        judges=("entry", "questionnaire"),
    ),
    Rule(
        code="cns_depression",
        version=1,
        severity="urgent",
        severities=("urgent",),
        title="Possible CNS depression",
        description=(
            "a reported `slow_breathing`; or `drowsiness` at severity 3, `confusion`,"
            " `slurred_speech` or `fainting` on a local day that also has baclofen and either"
            " alcohol, a sedative, or a daily total above the prescribed maximum"
        ),
        guidance=(
            "Call emergency services now if breathing is slow or you cannot stay awake."
            " Do not take more baclofen, alcohol or sedatives."
        ),
        source=_seed(
            "it is not safe to take baclofen in doses larger than those prescribed ... or to mix"
            " it with other drugs or alcohol."
        ),
        kind="seed",
    ),
    Rule(
        code="confusion",
        version=1,
        severity="high",
        severities=("high", "urgent"),
        title="Confusion",
        description="a reported `confusion`. Severity: high; urgent when `renal_impairment`.",
        guidance=(
            "Contact your prescriber today; do not take the next dose until you have spoken"
            " to them."
        ),
        source=_seed(
            "renal insufficiency can be a cause of rapid accumulation of circulating baclofen,"
            " and may cause acute adverse events, particularly mental confusion"
        ),
        kind="seed",
    ),
    Rule(
        code="dose_above_studied_max",
        version=1,
        severity="urgent",
        severities=("urgent",),
        title="Daily total above 300 mg",
        description="a daily total above 300 mg",
        guidance="Do not take any more baclofen today. Call your prescriber now.",
        source=_seed(
            '"The results of a second RCT (using up to 300 mg/day)";'
            ' "doses of baclofen up to 270 mg/day"'
        ),
        kind="seed",
    ),
    Rule(
        code="dose_above_prescribed",
        version=1,
        severity="high",
        severities=("high",),
        title="Daily total above the prescribed maximum",
        description=(
            "a daily total above `max_daily_mg` of the prescription in effect on that local day"
            " (no prescription: never)"
        ),
        guidance="Take only the dose you were prescribed. Contact your prescriber before changing it.",
        source=_seed(
            "it is not safe to take baclofen in doses larger than those prescribed by a licensed"
            " pharmacist or physician"
        ),
        kind="seed",
    ),
    Rule(
        code="baclofen_withdrawal",
        version=1,
        severity="high",
        severities=("high",),
        title="Possible baclofen withdrawal",
        description=(
            "a reported `muscle_stiffness`, `itching`, `low_blood_pressure`, `lightheadedness` or"
            " `tingling`, after a sudden drop: the mean daily total of the 7 local days ending 3"
            " days before the entry's day is at least 20 mg, and the total of the entry's day and"
            " the 2 days before is less than half of 3 × that mean"
        ),
        guidance="Do not stop baclofen suddenly. Contact your prescriber today.",
        source=_seed(
            "the effects of baclofen withdrawal include an increase in or return of spasticity,"
            " itching, low blood pressure, lightheadedness, and tingling sensations"
        ),
        kind="seed",
    ),
    Rule(
        code="alcohol_with_baclofen",
        version=1,
        severity="moderate",
        severities=("moderate", "high"),
        title="Alcohol with baclofen",
        description=(
            "drinks reported on a local day that also has baclofen doses."
            " Severity: moderate; high on a heavy drinking day."
        ),
        guidance=(
            "Mixing alcohol with baclofen is not safe. Tell your care team how much you drank."
        ),
        source=_seed("it is not safe to take baclofen ... or to mix it with other drugs or alcohol"),
        kind="seed",
    ),
    Rule(
        code="unprescribed_substance",
        version=1,
        severity="high",
        severities=("high",),
        title="Unprescribed substance",
        description="a substance with `prescribed: false`",
        guidance="Tell your care team what you took. Mixing it with baclofen can be dangerous.",
        source=_seed(
            '"To check for unprescribed use of lorazepam by patient";'
            ' "users mix baclofen with other, stronger drugs"'
        ),
        kind="seed",
    ),
    Rule(
        code="misuse_signal",
        version=1,
        severity="moderate",
        severities=("moderate", "high"),
        title="Possible misuse of baclofen",
        description=(
            "a reported `euphoria` on a local day with baclofen doses. Severity: moderate; high"
            " with `depression` or on a day above the prescribed maximum."
        ),
        guidance="Take baclofen only as prescribed, and tell your care team how you feel.",
        source=_seed(
            "eventually abused it, a behavior which the researchers attributed to the"
            " mood-elevating properties of the medication"
        ),
        kind="seed",
    ),
    Rule(
        code="alcohol_withdrawal",
        version=1,
        severity="high",
        severities=("high",),
        title="Possible alcohol withdrawal",
        description=(
            "two or more of `tremor`, `sweating`, `racing_heart`, `agitation`, `anxiety`, `nausea`"
            " at severity ≥ 2 in the entry, on a local day with no drinks, within 3 days after a"
            " heavy drinking day"
        ),
        guidance="Contact your care team today; alcohol withdrawal can become dangerous.",
        source=_seed('"its administration reduced AWS severity" (alcohol withdrawal syndrome)'),
        kind="seed",
    ),
    Rule(
        code="persistent_craving",
        version=1,
        severity="moderate",
        severities=("moderate",),
        title="Persistent craving after 4 weeks",
        description=(
            "day of treatment ≥ 28, and craving ≥ 7 on at least 3 different local days among the"
            " 7 ending with the entry's day"
        ),
        guidance="Keep logging; your care team will review your treatment with you.",
        source=_seed(
            "This persistent craving was reported by only 15% of the sample by the end of 4 weeks"
            " treatment with baclofen"
        ),
        kind="seed",
    ),
    Rule(
        code="continued_drinking",
        version=1,
        severity="moderate",
        severities=("moderate",),
        title="Continued drinking after 4 weeks",
        description=(
            "day of treatment ≥ 28, and at least 2 heavy drinking days among the 7 local days"
            " ending with the entry's day"
        ),
        guidance="Keep logging; your care team will review your treatment with you.",
        source=_seed(
            "Thirty-four percent of patients reported continued problematic use of alcohol by the"
            " end of 4 weeks."
        ),
        kind="seed",
    ),
    Rule(
        code="mood_symptoms",
        version=1,
        severity="moderate",
        severities=("moderate", "high"),
        title="Low mood or anxiety",
        description=(
            "`low_mood` or `anxiety` at severity ≥ 2 (not when `alcohol_withdrawal` explains it"
            " in the same entry). Severity: moderate; high when `low_mood` is 3."
        ),
        guidance="Tell your care team how you are feeling.",
        source=_seed(
            '"baclofen treatment may be effective in reducing comorbid anxiety symptoms";'
            " the document's case of major depressive disorder"
        ),
        kind="seed",
    ),
    Rule(
        code="side_effect",
        version=1,
        severity="moderate",
        severities=("moderate", "high"),
        title="Side effect",
        description=(
            "any symptom at severity ≥ 2 that no other rule on this entry fired for."
            " Severity: moderate; high at severity 3."
        ),
        guidance="Tell your prescriber about this side effect.",
        source=_seed(
            "Anyone who experiences side effects while taking baclofen should notify the"
            " prescribing doctor immediately."
        ),
        kind="seed",
    ),
    # Questionnaires (warning-signs.md, "Questionnaires"): scores are the instruments' own sums.
    Rule(
        code="depression_screen",
        version=1,
        severity="moderate",
        severities=("moderate", "high"),
        title="Depression screen: PHQ-9 15 or more",
        description="PHQ-9 total 15 or more (moderately severe or severe). Severity: moderate; high at 20 or more.",
        guidance="Tell your care team how you are feeling; they will contact you.",
        source=_clinical(
            "PHQ-9 severity bands (15–19 moderately severe, 20–27 severe); seed: the document's case"
            " of major depressive disorder"
        ),
        kind="clinical",
        judges=("questionnaire",),
    ),
    Rule(
        code="anxiety_screen",
        version=1,
        severity="moderate",
        severities=("moderate",),
        title="Anxiety screen: GAD-7 15 or more",
        description="GAD-7 total 15 or more (severe)",
        guidance="Tell your care team how you are feeling.",
        source=_seed("baclofen treatment may be effective in reducing comorbid anxiety symptoms"),
        kind="seed",
        judges=("questionnaire",),
    ),
    Rule(
        code="craving_screen",
        version=1,
        severity="moderate",
        severities=("moderate",),
        title="Craving screen: PACS 20 or more after 4 weeks",
        description="PACS total 20 or more, on day of treatment 28 or later",
        guidance="Keep logging; your care team will review your treatment with you.",
        source=_seed(
            "This persistent craving was reported by only 15% of the sample by the end of 4 weeks"
        ),
        kind="seed",
        judges=("questionnaire",),
    ),
    # The silent patient (warning-signs.md, "The silent patient"): judged by the sweep.
    Rule(
        code="silent_patient",
        version=1,
        severity="moderate",
        severities=("moderate", "high"),
        title="Silent patient: no entry for longer than expected",
        description=(
            "an enrolled patient (at least one device) with `expected_every_days` set has had no"
            " entry **received** for more than that many days (judged by the sweep, against the"
            " server's clock). Severity: moderate; high when the patient had an urgent flag raised"
            " in the 7 days before their last entry."
        ),
        guidance="—",
        source=_clinical(
            "a patient who stops reporting after a warning sign may be the one in danger; the"
            " document's \"continued problematic use\" is often silent"
        ),
        kind="clinical",
        judges=("sweep",),
    ),
)

RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in RULES})


# The symptom vocabulary: (code, what the app shows), in the table's order.
SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("hives", "raised itchy welts on the skin"),
    ("rash", "skin rash"),
    ("swelling_face_lips_tongue", "swelling of face, lips, tongue or throat"),
    ("throat_tightness", "tight throat, hard to swallow"),
    ("difficulty_breathing", "hard to breathe, wheezing"),
    ("itching", "itching"),
    ("drowsiness", "very sleepy, hard to stay awake"),
    ("confusion", "confused, muddled thinking"),
    ("dizziness", "dizzy"),
    ("lightheadedness", "light-headed, about to faint"),
    ("fainting", "fainted or passed out"),
    ("low_blood_pressure", "low blood pressure reading"),
    ("tingling", "tingling, pins and needles"),
    ("muscle_stiffness", "muscle stiffness or spasms coming back"),
    ("muscle_weakness", "weak muscles"),
    ("slurred_speech", "slurred speech"),
    ("slow_breathing", "slow or shallow breathing"),
    ("hallucinations", "seeing or hearing things that are not there"),
    ("seizure", "seizure, fit"),
    ("tremor", "shaking hands"),
    ("sweating", "sweating"),
    ("racing_heart", "heart racing"),
    ("agitation", "restless, agitated"),
    ("anxiety", "anxious"),
    ("low_mood", "low mood, hopeless"),
    ("euphoria", "feeling high, unusually elated"),
    ("suicidal_thoughts", "thoughts of ending my life"),
    ("insomnia", "cannot sleep"),
    ("nausea", "nausea"),
    ("vomiting", "vomiting"),
    ("headache", "headache"),
    ("fever", "fever"),
)

SYMPTOM_CODES: frozenset[str] = frozenset(code for code, _ in SYMPTOMS)

# The signs a note is read for, each with the rule it fires on its own, whatever else the entry
# holds ("Reading notes" in `warning-signs.md`). Confusion also feeds `cns_depression`, but only
# with baclofen and alcohol, a sedative or too much on the same day: never from a note alone.
NOTE_SIGN_RULES: Mapping[str, str] = MappingProxyType({
    "swelling_face_lips_tongue": "anaphylaxis",
    "throat_tightness": "anaphylaxis",
    "difficulty_breathing": "anaphylaxis",
    "slow_breathing": "cns_depression",
    "seizure": "seizure_or_hallucinations",
    "hallucinations": "seizure_or_hallucinations",
    "confusion": "confusion",
    "suicidal_thoughts": "suicidal_thoughts",
})
NOTE_RULES: tuple[str, ...] = tuple(rule.code for rule in RULES if rule.code in NOTE_SIGN_RULES.values())


# The sedatives of the catalogue: each generic it names, the brand names patients write, and the
# class names themselves (a patient may log "benzodiazepine" or "opioid" when unsure which one).
SEDATIVES: tuple[str, ...] = (
    # benzodiazepines
    "benzodiazepine", "benzo",
    "alprazolam", "Xanax",
    "bromazepam", "Lexotan", "Lexomil",
    "chlordiazepoxide", "Librium",
    "clonazepam", "Klonopin", "Rivotril",
    "diazepam", "Valium",
    "lorazepam", "Ativan", "Temesta",
    "oxazepam", "Serax", "Seresta",
    "temazepam", "Restoril",
    # the other benzodiazepines patients are given
    "clobazam", "Frisium", "clorazepate", "Tranxene", "estazolam", "flurazepam", "Dalmane",
    "lormetazepam", "midazolam", "nitrazepam", "Mogadon", "prazepam", "triazolam", "Halcion",
    # z-drugs
    "zolpidem", "Ambien", "Stilnox",
    "zopiclone", "Imovane", "Zimovane",
    "eszopiclone", "Lunesta",
    # opioids
    "opioid", "opiate",
    "codeine",
    "tramadol", "Tramal", "Ultram",
    "oxycodone", "OxyContin", "Percocet",
    "morphine",
    "methadone",
    "buprenorphine", "Subutex", "Suboxone",
    "heroin", "heroine",  # patients often write it the French way
    "fentanyl",
    "dihydrocodeine", "hydrocodone", "Vicodin", "Norco", "hydromorphone", "Dilaudid", "oxymorphone",
    "pethidine", "meperidine", "Demerol", "tapentadol", "opium",
    # gabapentinoids
    "gabapentinoid",
    "gabapentin", "Neurontin",
    "pregabalin", "Lyrica",
    # sedating antihistamines and antipsychotics
    "promethazine", "Phenergan",
    "hydroxyzine", "Atarax", "Vistaril",
    "quetiapine", "Seroquel",
    "diphenhydramine", "Benadryl", "doxylamine", "olanzapine", "Zyprexa", "chlorpromazine",
    # GHB / sodium oxybate
    "GHB", "sodium oxybate", "oxybate", "Xyrem", "Xywav", "gamma-hydroxybutyrate", "gamma hydroxybutyrate",
    # barbiturates
    "barbiturate", "phenobarbital", "Luminal", "butalbital", "butabarbital", "secobarbital", "Seconal",
    "pentobarbital", "Nembutal", "amobarbital", "Amytal",
)


def _name_pattern(name: str) -> str:
    # Words of a name may be split by any whitespace ("sodium  oxybate").
    return r"\s+".join(re.escape(word) for word in name.split())


# A name counts only as a whole word (a plural "s" allowed), so "Lorazepam 1mg" and "xanax bars"
# are sedatives but a name hidden inside an unrelated word is not. Digits may touch the name
# ("lorazepam1mg"): patients type doses that way.
_SEDATIVE = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(_name_pattern(name) for name in sorted(SEDATIVES, key=len, reverse=True))
    + r")s?(?![^\W\d_])",
    re.IGNORECASE,
)


def is_sedative(name: str) -> bool:
    """Tell whether a substance as the patient wrote it names a sedative of the catalogue."""
    return _SEDATIVE.search(_without_accents(name)) is not None


def _without_accents(text: str) -> str:
    # "Héroïne" and "héroine" are how many patients spell it.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
