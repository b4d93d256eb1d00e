"""The four questionnaires as data: items and answers as published, their scoring and severity bands.

Pure Python on purpose, like service/rules: the API lists the instruments, the rules judge their scores and
the FHIR export names them, and none of that should need Flask or a database to read a questionnaire.

The words are the published ones, checked against copies of the forms (each instrument says which); the
scoring is each instrument's own (the sum of its item values); the bands are the published severity bands,
except for PACS, which has none (see PACS_BANDS).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEXES = ("female", "male", "unspecified")

# PHQ-9 item 9, "Thoughts that you would be better off dead or of hurting yourself in some way": the
# standard suicide screen, judged on its own (warning-signs.md, suicidal_thoughts), whatever the total.
PHQ9_SUICIDE_ITEM = 8  # 0-based


@dataclass(frozen=True)
class Option:
    """One answer an item offers: the value it scores and its label as published."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question with its answers, lowest value first."""

    text: str
    options: tuple[Option, ...]

    @property
    def lowest(self) -> int:
        return self.options[0].value

    @property
    def highest(self) -> int:
        return self.options[-1].value


@dataclass(frozen=True)
class Band:
    """A range of total scores, both ends included, and the name the instrument gives it."""

    low: int
    high: int
    name: str


@dataclass(frozen=True)
class Instrument:
    """A questionnaire: what the patient reads, how it is scored, what a score means, where it comes from."""

    code: str
    abbreviation: str
    title: str
    instructions: str  # the question the items complete, as the form prints it above them
    recall_period: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]  # for every sex, unless male_bands says otherwise
    source: str  # the full citation of the published instrument
    licence: str
    male_bands: tuple[Band, ...] = ()  # AUDIT-C only: its threshold for men differs

    def __post_init__(self) -> None:
        # Wrong data here would score patients wrongly for as long as nobody noticed: refuse to load instead.
        for number, item in enumerate(self.items, start=1):
            if [option.value for option in item.options] != list(range(len(item.options))):
                raise ValueError(f"{self.abbreviation} item {number}: option values must be 0, 1, 2, ... in order")
        for bands in (self.bands, self.male_bands) if self.male_bands else (self.bands,):
            lows, highs = [band.low for band in bands], [band.high for band in bands]
            if not bands or lows[0] != 0 or highs[-1] != self.max_score \
                    or lows[1:] != [high + 1 for high in highs[:-1]] or any(b.low > b.high for b in bands):
                raise ValueError(f"{self.abbreviation}: bands must cover 0 to {self.max_score} without gaps")

    @property
    def max_score(self) -> int:
        return sum(item.highest for item in self.items)

    def problems(self, answers: Any) -> dict[str, list[str]]:
        """Return what is wrong with a list of answers, by field (answers.N counts from 0); empty when valid."""
        if isinstance(answers, (str, bytes)) or not isinstance(answers, (list, tuple)):
            return {"answers": ["must be a list of integers"]}
        found: dict[str, list[str]] = {}
        if len(answers) != len(self.items):
            given = "1 answer was" if len(answers) == 1 else f"{len(answers)} answers were"
            found["answers"] = [f"{self.abbreviation} has {len(self.items)} items; {given} given"]
        for index, (item, answer) in enumerate(zip(self.items, answers)):
            # bool is a subclass of int in Python; true is not an answer to any of these questions.
            if isinstance(answer, bool) or not isinstance(answer, int) or not item.lowest <= answer <= item.highest:
                found[f"answers.{index}"] = [f"must be an integer from {item.lowest} to {item.highest}"]
        return found

    def score(self, answers: list[int]) -> int:
        """Return the instrument's total: the sum of the item values."""
        found = self.problems(answers)
        if found:
            raise ValueError("; ".join(f"{field}: {message}" for field, messages in found.items()
                                       for message in messages))
        return sum(answers)

    def band(self, score: int, sex: str = "unspecified") -> str:
        """Return the name of the band a total score falls in."""
        if sex not in SEXES:
            raise ValueError(f"sex must be one of {', '.join(SEXES)}")
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= self.max_score:
            raise ValueError(f"a {self.abbreviation} score is an integer from 0 to {self.max_score}")
        bands = self.male_bands if sex == "male" and self.male_bands else self.bands
        return next(band.name for band in bands if band.low <= score <= band.high)


def _options(*labels: str) -> tuple[Option, ...]:
    """Number the published answers 0, 1, 2, ... in the order the form prints them."""
    return tuple(Option(value, label) for value, label in enumerate(labels))


PFIZER_LICENCE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational "
    "grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute."
)
FREQUENCY_2_WEEKS = _options("Not at all", "Several days", "More than half the days", "Nearly every day")

# PHQ-9. The words are those of the form Pfizer distributes (PHQ Screeners, with the licence statement above
# printed at its foot), as reproduced word for word by CamCOPS (University of Cambridge, Department of
# Psychiatry; github.com/ucam-department-of-psychiatry/camcops, server/camcops_server/extra_strings/phq9.xml)
# and by clinics' copies of the form. LOINC's panel 44249-1 words some items differently (item 9 "...better
# off dead, or of hurting yourself in some way", as on the 1999 form; question marks after items 1 and 2;
# hyphens for the dashes): the form, not the code system, is the instrument.
# Scoring and bands: Kroenke, Spitzer and Williams (2001): the sum of the nine items, 0-27; 5, 10, 15 and
# 20 mark mild, moderate, moderately severe and severe depression; scores below 5 are minimal depression (as
# LOINC's scoring note on the panel names them).
PHQ9 = Instrument(
    code="phq9",
    abbreviation="PHQ-9",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    recall_period="Over the last 2 weeks",
    items=tuple(Item(text, FREQUENCY_2_WEEKS) for text in (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite \u2014 being so "
        "fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    )),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    source=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. "
        "J Gen Intern Med. 2001;16(9):606-613. doi:10.1046/j.1525-1497.2001.016009606.x. PMID 11556941."
    ),
    licence=PFIZER_LICENCE,
)

# GAD-7. The words are those of the form Pfizer distributes (the same licence statement at its foot), as
# reproduced by CamCOPS (extra_strings/gad7.xml) and by copies of the combined PHQ-9/GAD-7 form; the stem says
# "the following problems", not "any of the following problems" as on the PHQ-9. LOINC's panel 69737-5 is no
# guide here: for item 2 it reuses another instrument's question ("Over the past 2 weeks have you not been
# able to stop or control worrying") with the answer "More days than not".
# Scoring and bands: Spitzer, Kroenke, Williams and Lowe (2006): the sum of the seven items, 0-21; 5, 10 and
# 15 mark mild, moderate and severe anxiety; below 5, minimal.
GAD7 = Instrument(
    code="gad7",
    abbreviation="GAD-7",
    title="Generalized Anxiety Disorder 7-item (GAD-7) scale",
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    recall_period="Over the last 2 weeks",
    items=tuple(Item(text, FREQUENCY_2_WEEKS) for text in (
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    )),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    source=(
        "Spitzer RL, Kroenke K, Williams JBW, L\u00f6we B. A brief measure for assessing generalized anxiety "
        "disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097. doi:10.1001/archinte.166.10.1092. "
        "PMID 16717171."
    ),
    licence=PFIZER_LICENCE,
)

# PACS bands are the project's, not the instrument's. Flannery et al. (1999) publish no cut-offs; the PACS is
# read as a continuous measure. What the literature offers is two thresholds for the DSM-5 craving criterion:
# earlier studies took a total above 20 as a stand-in for it, and Hartwell, Bujarski, Green and Ray (2019;
# Addict Behav Rep 10:100198, doi:10.1016/j.abrep.2019.100198) found 15 or more the better balance of
# sensitivity and specificity (in non-treatment-seeking heavy drinkers). The project's craving_screen rule
# (warning-signs.md) fires at 20 or more (the studies said above 20), so "high" starts at 20, where the rule
# does; "elevated" marks Hartwell's 15-19.
PACS_BANDS = (
    Band(0, 14, "low"),
    Band(15, 19, "elevated"),
    Band(20, 30, "high"),
)

# PACS. The words are the past-week version the PhenX Toolkit prints as its protocol "Post-acute withdrawal
# signs and symptoms - Craving" (protocol 511702). What could be matched word for word against stored copies:
# the instructions and item 1 with its answers (the PhenX protocol page); item 3 with its answers and the
# questions of items 2 and 5 (an independent reproduction of the scale in a research app); answers 0-4 of
# item 2 (a third reproduction). The question of item 4, the answers of items 4 and 5 and answers 5-6 of
# item 2 are given as the scale is commonly printed but could not be matched word for word against a copy
# (the two end answers of item 4 agree with one more reproduction): check them against the PhenX protocol
# or the article's appendix before patients see them.
# Scoring: the sum of the five items, 0-30 (Flannery et al. 1999).
PACS = Instrument(
    code="pacs",
    abbreviation="PACS",
    title="Penn Alcohol Craving Scale (PACS)",
    instructions=(
        "Please read each item carefully and circle the number that best describes your craving during the "
        "past week."
    ),
    recall_period="During the past week",
    items=(
        Item(
            "During the past week how often have you thought about drinking or about how good a drink would "
            "make you feel?",
            _options(
                "Never (0 times during the past week)",
                "Rarely (1 to 2 times during the past week)",
                "Occasionally (3 to 4 times during the past week)",
                "Sometimes (5 to 10 times during the past week or 1 to 2 times per day)",
                "Often (11 to 20 times during the past week or 2 to 3 times per day)",
                "Most of the time (20 to 40 times during the past week or 3 to 6 times per day)",
                "Nearly all the time (more than 40 times during the past week or more than 6 times per day)",
            ),
        ),
        Item(
            "At its most severe point, how strong was your craving during the past week?",
            _options(
                "None at all",
                "Slight, that is, a very mild urge",
                "Mild urge",
                "Moderate urge",
                "Strong urge, but easily controlled",
                "Strong urge and difficult to control",
                "Strong urge and would have drunk alcohol if it were available",
            ),
        ),
        Item(
            "During the past week, how much time have you spent thinking about drinking or about how good a "
            "drink would make you feel?",
            _options(
                "None at all",
                "Less than 20 minutes",
                "21 to 45 minutes",
                "46 to 90 minutes",
                "90 minutes to 3 hours",
                "Between 3 to 6 hours",
                "More than 6 hours",
            ),
        ),
        Item(
            "How difficult would it have been to resist taking a drink during the past week if you had known a "
            "bottle was in your house?",
            _options(
                "Not difficult at all",
                "Very mildly difficult",
                "Mildly difficult",
                "Moderately difficult",
                "Very difficult",
                "Extremely difficult",
                "Would not be able to resist",
            ),
        ),
        Item(
            "Keeping in mind your responses to the previous questions, please rate your overall average alcohol "
            "craving for the past week.",
            _options(
                "Never thought about drinking and never had the urge to drink",
                "Rarely thought about drinking and rarely had the urge to drink",
                "Occasionally thought about drinking and occasionally had the urge to drink",
                "Sometimes thought about drinking and sometimes had the urge to drink",
                "Often thought about drinking and often had the urge to drink",
                "Thought about drinking most of the time and had the urge to drink most of the time",
                "Thought about drinking nearly all of the time and had the urge to drink nearly all of the time",
            ),
        ),
    ),
    bands=PACS_BANDS,
    source=(
        "Flannery BA, Volpicelli JR, Pettinati HM. Psychometric properties of the Penn Alcohol Craving Scale. "
        "Alcohol Clin Exp Res. 1999;23(8):1289-1295. PMID 10470970."
    ),
    licence=(
        "Published with its items in the journal article and used freely in research and care; the PhenX "
        "Toolkit, which carries the scale as a protocol, states: \"This protocol is freely available; "
        "permission not required for use.\""
    ),
)

# AUDIT-C: the first three questions of the WHO's AUDIT, with their answers, as printed in the WHO manual
# (Babor et al. 2001) and reproduced word for word by CamCOPS (extra_strings/audit.xml, questions 1-3);
# each question has its own answers. The recall period is the manual's: the interviewer opens with "Now I
# am going to ask you some questions about your use of alcoholic beverages during this past year."
# Scoring: the sum of the three items, 0-12 (Bush et al. 1998). Bands: a positive screen at 4 or more for
# men and 3 or more for women (Bradley et al. 2003, PMID 12695273, and 2007, Alcohol Clin Exp Res
# 31(7):1208-1217; the same thresholds in LOINC's note on the total score, 75626-2). A patient whose sex is
# unspecified is screened with the women's threshold, the more careful one; the project's outcomes treat
# unspecified like women for the same reason (SPEC.md, "Drinking outcomes"). (The US VA now counsels
# everyone at 5 or more: a service's policy, not the screen's validated threshold.)
# Licence: LOINC's AUDIT-C panel (72109-2, as quoted in HL7 US Core's AUDIT-C Questionnaire) says "As a
# WHO-approved instrument, the AUDIT is in the public domain." The WHO manual itself is copyright WHO, and
# CamCOPS reproduces its words "under the permissions granted for non-commercial use"; a clinic's care of
# its own patients is within either.
AUDITC = Instrument(
    code="auditc",
    abbreviation="AUDIT-C",
    title="Alcohol Use Disorders Identification Test - Consumption (AUDIT-C)",
    instructions=(
        "Now I am going to ask you some questions about your use of alcoholic beverages during this past year."
    ),
    recall_period="During this past year",
    items=(
        Item(
            "How often do you have a drink containing alcohol?",
            _options("Never", "Monthly or less", "2 to 4 times a month", "2 to 3 times a week",
                     "4 or more times a week"),
        ),
        Item(
            "How many drinks containing alcohol do you have on a typical day when you are drinking?",
            _options("1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more"),
        ),
        Item(
            "How often do you have six or more drinks on one occasion?",
            _options("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"),
        ),
    ),
    bands=(Band(0, 2, "negative"), Band(3, 12, "positive")),  # women, and anyone whose sex is unspecified
    male_bands=(Band(0, 3, "negative"), Band(4, 12, "positive")),
    source=(
        "Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption questions "
        "(AUDIT-C): an effective brief screening test for problem drinking. Arch Intern Med. "
        "1998;158(16):1789-1795. doi:10.1001/archinte.158.16.1789. PMID 9738608. Questions 1-3 of: Babor TF, "
        "Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use Disorders Identification Test. "
        "Guidelines for Use in Primary Care. 2nd ed. Geneva: World Health Organization; 2001. "
        "WHO/MSD/MSB/01.6a."
    ),
    licence=(
        "The AUDIT was developed by the World Health Organization; as a WHO-approved instrument it is in the "
        "public domain (LOINC, panel 72109-2), and its consumption questions were validated as the AUDIT-C by "
        "the US Department of Veterans Affairs. No permission is needed to use it in care."
    ),
)

INSTRUMENTS: dict[str, Instrument] = {instrument.code: instrument for instrument in (PHQ9, GAD7, PACS, AUDITC)}
