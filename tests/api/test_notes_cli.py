"""`flask --app service notes evaluate`: the note reader's figures on a file of cases or the development set."""
from __future__ import annotations

import json

import pytest

from service import create_app
from service.note_evaluation import cases_from_devset, score
from service.rules.catalogue import NOTE_RULES
from notes.devset import DevNote

# Notes whose reading no reader worth the name changes: a sign said plainly, a note about breakfast.
CASES = {
    "positive": [
        ["I had a seizure last night", "seizure_or_hallucinations"],
        ["I want to kill myself", "suicidal_thoughts"],
        ["my breathing is very slow and shallow", "cns_depression"],
        ["Took my dose with breakfast, all fine.", "anaphylaxis"],  # a miss
    ],
    "negative": [
        ["Took my dose with breakfast, all fine.", list(NOTE_RULES)],
        ["I had a seizure this morning", ["seizure_or_hallucinations", "confusion"]],  # a false alarm
        ["Slept well, a quiet day", ["suicidal_thoughts"]],
    ],
}


@pytest.fixture(scope="module")
def runner():
    """`notes evaluate` reads no table, so one app without a database serves every test here: the
    development set takes minutes to read, and once per backend would read it twice."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test-secret"}).test_cli_runner()


def evaluate(runner, tmp_path, cases, *args):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases) if not isinstance(cases, str) else cases, encoding="utf-8")
    return runner.invoke(args=["notes", "evaluate", str(path), *args])


def test_the_figures_of_a_small_file_are_exact(runner, tmp_path):
    result = evaluate(runner, tmp_path, CASES)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["notes_read"] == 6
    assert figures["recall"] == {"found": 3, "total": 4, "percent": 75.0}
    assert figures["by_rule"] == {
        "anaphylaxis": {"found": 0, "total": 1, "percent": 0.0},
        "seizure_or_hallucinations": {"found": 1, "total": 1, "percent": 100.0},
        "suicidal_thoughts": {"found": 1, "total": 1, "percent": 100.0},
        "cns_depression": {"found": 1, "total": 1, "percent": 100.0},
        "confusion": {"found": 0, "total": 0, "percent": None},
    }
    assert figures["false_alarms"] == {"count": 1, "total": 3, "percent": 33.3}
    printed = result.stdout
    assert "  overall                     3/4  75.0 %" in printed
    assert "Misses (1)\n  anaphylaxis: 'Took my dose with breakfast, all fine.'" in printed
    assert "False alarms (1)\n  seizure_or_hallucinations from seizure 'seizure': 'I had a seizure this morning'" \
        in printed


def test_a_long_note_is_shown_cut_short(runner, tmp_path):
    long_note = "Went for a walk by the river " * 10
    result = evaluate(runner, tmp_path, {"positive": [[long_note, "confusion"]]})
    miss = next(line for line in result.stdout.splitlines() if line.startswith("  confusion: "))
    shown = miss.split(" (found instead:")[0]  # whatever else the reader found in it
    assert shown.endswith("…'") and len(shown) < 120


@pytest.mark.parametrize("cases, says", [
    ("{not json", "is not JSON"),
    ([], "must be a JSON object"),
    ({"positive": [], "extra": []}, "must be a JSON object"),
    ({"positive": {}}, '"positive" must be a list'),
    ({"positive": [["note", "side_effect"]]}, "positive[0] is not [note, rule]"),
    ({"positive": [["  ", "confusion"]]}, "positive[0] is not [note, rule]"),
    ({"negative": [["note", []]]}, "negative[0] is not [note, [rules that must not fire]]"),
    ({"negative": [["note", "confusion"]]}, "negative[0] is not"),
])
def test_a_malformed_file_is_exit_2_with_what_is_wrong(runner, tmp_path, cases, says):
    result = evaluate(runner, tmp_path, cases)
    assert result.exit_code == 2
    assert says in result.output


def test_a_file_and_the_development_set_are_not_scored_together(runner, tmp_path):
    result = evaluate(runner, tmp_path, CASES, "--devset", "train")
    assert result.exit_code == 2 and "not both" in result.output


def test_the_development_set_is_scored_by_default(runner):
    result = runner.invoke(args=["notes", "evaluate"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["source"].startswith("development set: heldout (")
    assert set(figures["by_rule"]) == set(NOTE_RULES)


# ------------------------------------------------------------------ development-set records as cases


def dev(note, signs=(), kind="plain", lang="en"):
    return DevNote(note, tuple(signs), lang, kind, "a.json")


def test_development_records_become_cases_by_their_signs_and_kind():
    cases = cases_from_devset([
        dev("fit and confused", ["seizure", "confusion"]),
        dev("all fine", kind="none"),
        dev("brother had a seizure, I'm confused", ["confusion"], kind="someone_else", lang="fr"),
        dev("can't breathe", ["difficulty_breathing"], kind="run_on"),
    ])
    shown = [(c.note, c.rules, c.positive, c.lang, c.kind) for c in cases]
    others = tuple(rule for rule in NOTE_RULES if rule != "confusion")
    assert shown == [
        ("fit and confused", ("seizure_or_hallucinations",), True, "en", "plain"),
        ("fit and confused", ("confusion",), True, "en", "plain"),
        ("all fine", NOTE_RULES, False, "en", "none"),
        ("brother had a seizure, I'm confused", ("confusion",), True, "fr", "someone_else"),
        ("brother had a seizure, I'm confused", others, False, "fr", "someone_else"),
        ("can't breathe", ("anaphylaxis",), True, "en", "run_on"),
    ]


def test_the_development_figures_break_down_by_language_and_kind():
    found = {"I had a seizure": ("seizure",), "je veux mourir": ()}

    def read(note):
        from service.rules.notes import NoteFinding

        return tuple(NoteFinding(code, note) for code in found.get(note, ()))

    report = score(cases_from_devset([dev("I had a seizure", ["seizure"]),
                                      dev("je veux mourir", ["suicidal_thoughts"], lang="fr"),
                                      dev("my son had a seizure", kind="someone_else")]), read)
    figures = report.figures()
    assert figures["by_lang"] == {
        "en": {"recall": {"found": 1, "total": 1, "percent": 100.0},
               "false_alarms": {"count": 0, "total": 1, "percent": 0.0}},
        "fr": {"recall": {"found": 0, "total": 1, "percent": 0.0},
               "false_alarms": {"count": 0, "total": 0, "percent": None}},
    }
    assert figures["by_kind"]["plain"]["recall"] == {"found": 1, "total": 2, "percent": 50.0}
    assert figures["by_kind"]["someone_else"]["false_alarms"] == {"count": 0, "total": 1, "percent": 0.0}


def test_progress_is_reported_as_notes_are_read():
    said = []
    cases = cases_from_devset([dev(f"all fine {n}", kind="none") for n in range(250)])
    score(cases, lambda note: (), progress=lambda done, total: said.append((done, total)))
    assert said == [(100, 250), (200, 250), (250, 250)]
