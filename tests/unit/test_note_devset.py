"""The note reader's development set: its files' format, and a split that never moves a note."""
from __future__ import annotations

import json

import pytest

from notes.devset import DEV_DIR, KINDS, DevSetError, load, select, split_of

TARGET_NOTES = 1500  # the size the set is built to, once both of its files are in


def write(folder, name, records):
    (folder / name).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


def record(note="I had a seizure last night", signs=("seizure",), lang="en", kind="plain", **more):
    return {"note": note, "signs": list(signs), "lang": lang, "kind": kind, **more}


# ------------------------------------------------------------------ the split


@pytest.mark.parametrize("note, split", [
    ("I had a seizure last night", "train"),
    ("my brother had a seizure", "heldout"),
    ("throat feels tight", "train"),
    ("Je veux mourir", "heldout"),
    ("no quiero vivir", "train"),
    ("all good today", "heldout"),
])
def test_a_note_is_in_the_split_its_text_fixes(note, split):
    assert split_of(note) == split


def test_the_splits_divide_the_notes_without_sharing_one(tmp_path):
    notes = [f"note number {n}" for n in range(200)]
    write(tmp_path, "a.json", [record(note, (), kind="none") for note in notes])
    loaded = load(tmp_path)
    train, heldout = select(loaded, "train"), select(loaded, "heldout")
    assert {n.note for n in train} | {n.note for n in heldout} == set(notes)
    assert not {n.note for n in train} & {n.note for n in heldout}
    assert 0.45 < len(train) / len(notes) < 0.75, "about six notes in ten train"
    assert select(loaded, "all") == loaded
    with pytest.raises(ValueError, match="no split"):
        select(loaded, "test")


def test_adding_a_file_moves_no_note(tmp_path):
    write(tmp_path, "b.json", [record(f"note {n}", (), kind="none") for n in range(50)])
    before = {n.note: n.split for n in load(tmp_path)}
    write(tmp_path, "a.json", [record(f"other note {n}", (), kind="none") for n in range(50)])
    after = {n.note: n.split for n in load(tmp_path)}
    assert {note: after[note] for note in before} == before


# ------------------------------------------------------------------ the format


def test_a_valid_file_loads_with_its_labels(tmp_path):
    write(tmp_path, "a.json", [
        record(),
        record("mon frère a fait une crise", (), lang="fr", kind="someone_else"),
        record("no puedo respirar y quiero morir", ("difficulty_breathing", "suicidal_thoughts"), lang="es"),
        record("my mate had a fit", (), kind="someone_else", rule="seizure_or_hallucinations", sign="seizure"),
    ])
    notes = load(tmp_path)
    assert [(n.signs, n.lang, n.kind, n.file) for n in notes] == [
        (("seizure",), "en", "plain", "a.json"),
        ((), "fr", "someone_else", "a.json"),
        (("difficulty_breathing", "suicidal_thoughts"), "es", "plain", "a.json"),
        ((), "en", "someone_else", "a.json"),
    ]
    assert notes[2].rules == ("anaphylaxis", "suicidal_thoughts")


@pytest.mark.parametrize("broken, says", [
    ({"note": "x", "signs": []}, "missing kind, lang"),
    (record(extra=1), "unknown field(s) extra"),
    (record(note="  "), "note is not a non-empty string"),
    (record(note=3), "note is not a non-empty string"),
    (record(signs=("rash",)), "codes a note is not read for: rash"),
    ({**record(), "signs": "seizure"}, "signs is not a list"),
    (record(signs=("seizure", "seizure")), "names a code twice"),
    (record(lang="de"), "lang 'de' is not one of"),
    (record(kind="joke"), "kind 'joke' is not one of"),
    (record(signs=()), "kind plain needs at least one sign"),
    (record(kind="none"), "kind none carries no sign"),
    (record(rule="side_effect", sign="seizure"), "rule 'side_effect' is not a rule a note fires"),
    (record(rule="confusion", sign="rash"), "sign 'rash' is not a sign"),
    ("a note", "not an object"),
])
def test_a_broken_record_is_refused_with_its_place(tmp_path, broken, says):
    write(tmp_path, "a.json", [record("fine note"), broken])
    with pytest.raises(DevSetError) as refused:
        load(tmp_path)
    assert "a.json[1]: " in str(refused.value) and says in str(refused.value)


def test_a_file_that_is_not_a_list_of_records_is_refused(tmp_path):
    (tmp_path / "a.json").write_text("{not json", encoding="utf-8")
    write(tmp_path, "b.json", {"note": "x"})
    with pytest.raises(DevSetError) as refused:
        load(tmp_path)
    assert "a.json: not JSON" in str(refused.value) and "b.json: not a JSON list" in str(refused.value)


def test_a_note_in_two_files_is_refused_even_retyped(tmp_path):
    write(tmp_path, "a.json", [record("I had a  seizure\nlast night")])
    write(tmp_path, "b.json", [record("i had a seizure last night ")])
    with pytest.raises(DevSetError, match=r"b.json\[0\]: the same note as a.json\[0\]"):
        load(tmp_path)


def test_every_problem_is_named_up_to_a_limit(tmp_path):
    write(tmp_path, "a.json", [record(lang="xx", note=f"n{n}") for n in range(30)])
    with pytest.raises(DevSetError) as refused:
        load(tmp_path)
    assert "a.json[19]" in str(refused.value) and "a.json[20]" not in str(refused.value)
    assert "... and 10 more" in str(refused.value)


# ------------------------------------------------------------------ the set as it is


def stored_files():
    return sorted(DEV_DIR.glob("*.json"))


@pytest.mark.skipif(not stored_files(), reason="tests/notes/dev holds no file yet")
def test_the_stored_set_is_well_formed_and_split():
    notes = load()  # refuses a malformed record or a note in two files
    train, heldout = select(notes, "train"), select(notes, "heldout")
    assert len(train) + len(heldout) == len(notes)
    assert not {n.note for n in train} & {n.note for n in heldout}
    assert {n.kind for n in notes} <= set(KINDS)


@pytest.mark.skipif(len(stored_files()) < 2, reason="the set is complete with both of its files")
def test_the_stored_set_has_the_notes_it_is_built_to_have():
    count = len(load())
    assert count >= TARGET_NOTES, f"the development set has {count} notes; it is built to have {TARGET_NOTES} or more"
