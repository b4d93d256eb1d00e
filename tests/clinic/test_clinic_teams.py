"""Care teams on the clinic page: the queue of every team of the clinician, who handles each flag,
handing a flag to a member of its patient's team, and each patient's team."""
from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import pytest

from clinic_kit import csrf_of, new_clinic, post_form, queue_rows, signed_in, staff_member, text, three_flags
from conftest import Caller
from service.extensions import db
from service.models import Flag

ROW = re.compile(r'<tr class="flag-row[^"]*" data-flag-id="([0-9a-f-]{36})">(.*?)</tr>', re.S)


def cells(answer, kind: str) -> dict[str, str]:
    """The words of one kind of cell (handler, team) in each row of the queue, by flag id."""
    found = {}
    for flag, row in ROW.findall(answer.get_data(as_text=True)):
        cell = re.search(rf'<td data-label="[^"]+" class="{kind}">(.*?)</td>', row, re.S)
        found[flag] = re.sub(r"<[^>]+>", "", cell.group(1)).strip() if cell else None
    return found


def ids(answer) -> set[str]:
    return {flag for _, flag in queue_rows(answer)}


@pytest.fixture
def world(app, client):
    """Riverside Clinic with two care teams, its first (Riverside Clinic) and the Night team.

    Ada is its admin, in no team; Pat prescribes in both; Nia is a nurse of the first; Owen
    prescribes in the Night team only. P-DAY (first team) and P-NIGHT (Night team) have three
    open flags each.
    """
    made = new_clinic(app)
    ada = staff_member(app, client, made, "Ada Admin", role="admin")
    night = ada.post("/teams", json={"name": "Night team"}).json["id"]
    pat = staff_member(app, client, made, "Pat Prescriber", team_id=made["team_id"])
    nia = staff_member(app, client, made, "Nia Nurse", role="nurse", team_id=made["team_id"])
    owen = staff_member(app, client, made, "Owen Night", team_id=night)
    assert ada.open("PUT", f"/teams/{night}/members/{pat.id}").status_code == 204
    day_phone, day_flags = three_flags(pat, "P-DAY", team_id=made["team_id"])
    night_phone, night_flags = three_flags(pat, "P-NIGHT", team_id=night)
    return SimpleNamespace(clinic=made, day=made["team_id"], night=night, ada=ada, pat=pat, nia=nia, owen=owen,
                           day_phone=day_phone, day_flags=day_flags, night_phone=night_phone,
                           night_flags=night_flags)


def browse(app, who: Caller):
    return signed_in(app, who.email)


# ------------------------------------------------------------------ the queue


def test_the_queue_holds_the_flags_of_every_team_and_filters_by_one(app, world):
    pat = browse(app, world.pat)
    everything = pat.get("/clinic/")
    assert ids(everything) == set(world.day_flags.values()) | set(world.night_flags.values())
    page = text(everything)
    assert '<select id="team_id" name="team_id">' in page
    assert f'<option value="{world.night}">Night team</option>' in page
    teams = cells(everything, "team")
    assert {teams[f] for f in world.day_flags.values()} == {"Riverside Clinic"}
    assert {teams[f] for f in world.night_flags.values()} == {"Night team"}

    nights = pat.get(f"/clinic/?team_id={world.night}")
    assert [f for _, f in queue_rows(nights)] == [world.night_flags[s] for s in ("urgent", "high", "moderate")]
    assert f'<option value="{world.night}" selected>Night team</option>' in text(nights)
    assert "Open flags, of the team Night team" in text(nights)


def test_a_clinician_of_one_team_gets_no_team_filter_and_no_team_column(app, world):
    nia = browse(app, world.nia)
    answer = nia.get("/clinic/")
    assert ids(answer) == set(world.day_flags.values())
    assert 'id="team_id"' not in text(answer)
    assert set(cells(answer, "team").values()) == {None}
    assert 'name="assignee"' in text(answer), "the handler filter is there for everyone"


def test_a_team_that_is_not_the_clinicians_filters_to_nothing(app, world):
    owen = browse(app, world.owen)
    answer = owen.get(f"/clinic/?team_id={world.day}")
    assert answer.status_code == 200 and queue_rows(answer) == []
    assert "No open flags match these filters." in text(answer)


def test_each_row_names_who_handles_it_and_the_queue_filters_by_handler(app, world):
    world.pat.post(f"/flags/{world.day_flags['urgent']}/review",
                   json={"action": "assign", "clinician_id": world.pat.id})
    world.pat.post(f"/flags/{world.night_flags['high']}/review",
                   json={"action": "assign", "clinician_id": world.owen.id})
    world.pat.post(f"/flags/{world.day_flags['moderate']}/review", json={"action": "acknowledge"})
    pat = browse(app, world.pat)
    handlers = cells(pat.get("/clinic/"), "handler")
    assert handlers[world.day_flags["urgent"]] == "Pat Prescriber"
    assert handlers[world.night_flags["high"]] == "Owen Night"
    assert handlers[world.day_flags["high"]] == "Unassigned"

    mine = pat.get("/clinic/?assignee=me")
    assert ids(mine) == {world.day_flags["urgent"]}
    assert '<option value="me" selected>assigned to me</option>' in text(mine)
    assert ", assigned to you" in text(mine)
    nobodys = ids(pat.get("/clinic/?assignee=none"))
    assert nobodys == {world.day_flags["high"], world.night_flags["urgent"], world.night_flags["moderate"]}
    # Acknowledging took the moderate flag: it is the clinician's among the acknowledged.
    acknowledged = pat.get("/clinic/?status=acknowledged&assignee=me")
    assert ids(acknowledged) == {world.day_flags["moderate"]}
    assert cells(acknowledged, "handler") == {world.day_flags["moderate"]: "Pat Prescriber"}
    owens = pat.get(f"/clinic/?assignee={world.owen.id}")
    assert ids(owens) == {world.night_flags["high"]}
    assert f'<option value="{world.owen.id}" selected>Owen Night</option>' in text(owens)
    assert ids(browse(app, world.owen).get("/clinic/?assignee=me")) == {world.night_flags["high"]}
    assert browse(app, world.pat).get("/clinic/?assignee=someone").status_code == 400


def test_the_team_and_handler_filters_survive_paging(app, world):
    world.pat.post(f"/flags/{world.night_flags['urgent']}/review",
                   json={"action": "assign", "clinician_id": world.owen.id})
    pat = browse(app, world.pat)
    first = pat.get(f"/clinic/?team_id={world.night}&assignee=none&limit=1")
    link = re.search(r'<a rel="next" href="([^"]+)">Next page</a>', first.get_data(as_text=True))
    assert link, "one of two flags on the first page: there is a next"
    nxt = link.group(1).replace("&amp;", "&")
    assert f"team_id={world.night}" in nxt and "assignee=none" in nxt
    second = pat.get(nxt)
    shown = [f for _, f in queue_rows(first)] + [f for _, f in queue_rows(second)]
    assert shown == [world.night_flags["high"], world.night_flags["moderate"]]
    assert f'<option value="{world.night}" selected>' in text(second)
    assert '<option value="none" selected>' in text(second)


# ------------------------------------------------------------------ handing a flag over


def assign(browser, flag: str, clinician_id: str, note: str = "", **form):
    return post_form(browser, f"/clinic/flags/{flag}/assign", {"clinician_id": clinician_id, "note": note, **form},
                     page=f"/clinic/flags/{flag}")


def assignee_of(app, flag: str):
    with app.app_context():
        found = db.session.get(Flag, uuid.UUID(flag))
        return (str(found.assignee_id) if found.assignee_id else None), found.status


def test_the_flag_page_names_its_handler_and_offers_the_active_members_of_its_team(app, world):
    deactivated = staff_member(app, world.pat.client, world.clinic, "Dee Gone", team_id=world.day)
    assert world.ada.patch(f"/clinicians/{deactivated.id}", json={"active": False}).status_code == 200
    page = text(browse(app, world.pat).get(f"/clinic/flags/{world.day_flags['high']}"))
    assert re.search(r'<dt>Handled by</dt><dd class="handler"><span class="unassigned">Unassigned</span>', page)
    assert '<dt>Care team</dt><dd class="team">Riverside Clinic</dd>' in page
    select = re.search(r'<select id="assignee" name="clinician_id"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select, re.S)
    offered = {value: re.sub(r"\s+", " ", words).strip() for value, words in options}
    assert offered == {"": "Choose a member", world.nia.id: "Nia Nurse", world.pat.id: "Pat Prescriber (you)"}


@pytest.mark.parametrize("note", ["", "Nia, please call her this afternoon."])
def test_assigning_from_the_flag_page_hands_the_flag_over(app, world, note):
    flag = world.day_flags["high"]
    pat = browse(app, world.pat)
    answer = assign(pat, flag, world.nia.id, note, back="/clinic/?assignee=none")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"/clinic/flags/{flag}")
    page = text(pat.get(answer.headers["Location"]))
    assert "Assigned to Nia Nurse: Unprescribed substance (P-DAY)." in page
    assert '<dd class="handler">Nia Nurse' in page
    assert re.search(r"<strong>Assigned</strong> .*? by you to Nia Nurse" + (f": <q>{re.escape(note)}</q>" if note
                                                                              else "</li>"), page)
    assert assignee_of(app, flag) == (world.nia.id, "open"), "assigning leaves the status"
    review = world.pat.get(f"/flags/{flag}").json["reviews"][-1]
    assert (review["action"], review["note"], review["assignee_id"]) == ("assign", note or None, world.nia.id)
    nia = browse(app, world.nia)
    assert ids(nia.get("/clinic/?assignee=me")) == {flag}
    assert "by Pat Prescriber to you" in text(nia.get(f"/clinic/flags/{flag}"))


def test_assigning_to_someone_outside_the_team_is_refused_at_the_field(app, world):
    flag = world.day_flags["moderate"]
    answer = assign(browse(app, world.pat), flag, world.owen.id, "Owen, yours")
    assert answer.status_code == 422
    page = text(answer)
    assert re.search(r'<div class="error" role="alert" id="assign-errors">\s*<p>Give a member of the patient\'s '
                     r'care team.</p>', page)
    assert re.search(r'<select id="assignee" name="clinician_id" required aria-invalid="true" '
                     r'aria-describedby="assign-errors" autofocus>', page)
    assert ">Owen, yours</textarea>" in page, "the note typed is kept"
    assert assignee_of(app, flag) == (None, "open")


def test_assigning_to_no_one_or_to_a_deactivated_member_is_refused(app, world):
    flag = world.day_flags["moderate"]
    pat = browse(app, world.pat)
    blank = assign(pat, flag, "", "typed")
    assert blank.status_code == 422
    assert "Choose the member of the care team who takes the flag." in text(blank)
    assert ">typed</textarea>" in text(blank)
    assert world.ada.patch(f"/clinicians/{world.nia.id}", json={"active": False}).status_code == 200
    gone = assign(pat, flag, world.nia.id)
    assert gone.status_code == 422 and "Give a member of the patient's care team." in text(gone)
    assert assign(pat, flag, "not-an-id").status_code == 422
    assert assignee_of(app, flag) == (None, "open")


def test_a_clinician_of_another_team_gets_404_for_the_flag_and_cannot_assign_it(app, world):
    flag = world.day_flags["urgent"]
    owen = browse(app, world.owen)
    answer = owen.get(f"/clinic/flags/{flag}")
    assert answer.status_code == 404 and "Not found" in text(answer)
    refused = post_form(owen, f"/clinic/flags/{flag}/assign", {"clinician_id": world.owen.id}, page="/clinic/")
    assert refused.status_code == 404
    assert assignee_of(app, flag) == (None, "open")


def test_a_closed_flag_cannot_be_assigned_and_says_so(app, world):
    flag = world.day_flags["moderate"]
    pat = browse(app, world.pat)
    token = csrf_of(pat.get(f"/clinic/flags/{flag}"))
    world.nia.post(f"/flags/{flag}/review", json={"action": "resolve", "note": "Done by phone."})
    answer = pat.post(f"/clinic/flags/{flag}/assign", data={"csrf_token": token, "clinician_id": world.nia.id})
    assert answer.status_code == 409
    assert "This flag is already resolved" in text(answer)
    assert 'id="assignee"' not in text(answer), "no form for a closed flag"
    assert assignee_of(app, flag) == (None, "resolved")


def test_assigning_needs_the_csrf_token(app, world):
    flag = world.day_flags["high"]
    pat = browse(app, world.pat)
    answer = pat.post(f"/clinic/flags/{flag}/assign", data={"clinician_id": world.nia.id})
    assert answer.status_code == 400
    assert assignee_of(app, flag) == (None, "open")


# ------------------------------------------------------------------ each patient's team


def test_the_patients_list_and_a_patients_page_name_its_team(app, world):
    pat = browse(app, world.pat)
    listed = pat.get("/clinic/patients").get_data(as_text=True)
    teams = dict(re.findall(r'data-patient-id="([0-9a-f-]{36})">.*?'
                            r'<td data-label="Care team" class="team">([^<]*)</td>', listed, re.S))
    assert teams == {world.day_phone.id: "Riverside Clinic", world.night_phone.id: "Night team"}
    page = text(pat.get(f"/clinic/patients/{world.night_phone.id}"))
    assert '<dt>Care team</dt><dd class="team">Night team</dd>' in page
    world.pat.patch(f"/patients/{world.night_phone.id}", json={"team_id": world.day})
    moved = text(pat.get(f"/clinic/patients/{world.night_phone.id}"))
    assert '<dt>Care team</dt><dd class="team">Riverside Clinic</dd>' in moved
