"""`flask --app service notes ...`: measure the note reader, and gather what clinicians taught it."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from . import note_evaluation

notes_cli = AppGroup("notes", help="Measure the note reader and gather what clinicians taught it.")

# The development set lives with the tests; a service installed from its checkout can read it.
DEVSET_MODULE = Path(__file__).resolve().parent.parent / "tests" / "notes" / "devset.py"


class MalformedFile(click.ClickException):
    exit_code = 2


def devset():
    """Import the development set's loader from the repository's checkout."""
    if not DEVSET_MODULE.is_file():
        raise click.ClickException(f"no development set here: {DEVSET_MODULE} is missing (it is in the "
                                   "repository's checkout, not in an installed package)")
    spec = importlib.util.spec_from_file_location("baclowatch_note_devset", DEVSET_MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@notes_cli.command("evaluate")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--devset", "split", type=click.Choice(["heldout", "train", "all"]),
              help="Score the development set's split instead of FILE (without FILE: heldout).")
def evaluate_command(file: Path | None, split: str | None) -> None:
    """Score the note reader on FILE, or on the development set.

    \b
    FILE is JSON: {"positive": [[note, rule], ...], "negative": [[note, [rules]], ...]}:
    each positive note must fire its rule, each negative note none of its rules. The rules are
    anaphylaxis, seizure_or_hallucinations, suicidal_thoughts, cns_depression and confusion,
    each fired by the signs the note reader finds as the engine fires it from a note alone.
    Prints recall by rule and overall, false alarms, the misses and false alarms, and last a
    line of JSON with the figures. Exits 0 whatever the figures; 2 on a malformed file.
    """
    from .rules.notes import read_note

    if file is not None and split is not None:
        raise click.UsageError("give FILE or --devset, not both")
    if file is not None:
        try:
            cases = note_evaluation.cases_from_file(json.loads(file.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MalformedFile(f"{file} is not JSON: {error}") from None
        except note_evaluation.Malformed as error:
            raise MalformedFile(f"{file}: {error}") from None
        source = str(file)
    else:
        split = split or "heldout"
        loader = devset()
        try:
            chosen = loader.select(loader.load(), split)
        except loader.DevSetError as error:
            raise MalformedFile(str(error)) from None
        cases = note_evaluation.cases_from_devset(chosen)
        source = f"development set: {split} ({len(chosen)} notes)"

    def progress(done: int, total: int) -> None:
        click.echo(f"read {done}/{total} notes", err=True)

    report = note_evaluation.score(cases, read_note, progress if len(cases) > 200 else None)
    click.echo(f"Scored {source}")
    for line in note_evaluation.lines(report):
        click.echo(line)
    click.echo(json.dumps({"source": source, **report.figures()}, ensure_ascii=False))


@notes_cli.command("export-feedback")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Only dismissals made at or after this UTC date or time.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write here instead of to standard output.")
def export_feedback_command(since, output: Path | None) -> None:
    """Write the notes of flags dismissed with a reason as development-set records.

    \b
    Each record is {"note", "signs": [], "lang": "en", "kind", "rule", "sign"}: the kind from
    the reason (not_about_patient: someone_else, negated: negated, not_a_sign: other_meaning,
    other: none), and the rule and sign that were wrongly found. Nothing else of the patient
    goes out: no id, reference, date or clinician. A note dismissed twice is written once.
    """
    import datetime as dt

    from . import feedback

    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    records = feedback.dismissed_notes(since)
    # One record a line, as the development set's files are kept.
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    text = f"[\n{lines}\n]\n" if records else "[]\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    click.echo(f"{len(records)} dismissed notes{'' if output is None else f' written to {output}'}", err=True)


@notes_cli.command("train")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the classifier (default: the one the service reads).")
def train_command(out: Path | None) -> None:
    """Train the semantic layer's classifier on the development set's train split.

    Reads each train note with the sentence-embedding model, fits the classifier, chooses each
    sign's threshold as low as the limit on false alarms allows, on notes a classifier did not
    see (five folds), prints how, and writes the classifier. The held-out split is never read: score it after
    with `notes evaluate --devset heldout`.
    """
    from .note_training import train
    from .rules import semantic

    loader = devset()
    try:
        chosen = loader.select(loader.load(), "train")
    except loader.DevSetError as error:
        raise MalformedFile(str(error)) from None
    click.echo(f"Training on the development set's train split: {len(chosen)} notes", err=True)
    model, report = train(chosen, loader.SIGNS, lambda done, total: click.echo(f"read {done}/{total} notes", err=True))
    target = out or semantic.CLASSIFIER
    model.save(target)
    alarms = report.pop("false alarms")
    for sign, line in report.items():
        click.echo(f"{sign:28} threshold {line['threshold']:.3f}: {line['found']}/{line['notes']} notes found "
                   f"({line['phrases_alone']} by phrases alone)")
    click.echo(f"false alarms on the calibration's look-alike notes: {alarms:.1%}, the phrase layer's included "
               "(each read by a classifier that never saw it)")
    click.echo(f"Wrote {target} ({len(model.bank_text)} labelled examples, train split {model.trained_on})")
