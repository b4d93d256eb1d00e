"""Care teams on the clinic page: the queue of every team of the clinician, who handles each flag,
handing a flag to a member of its patient's team, each patient's team, and the admin's page."""
from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa
from flask.sessions import SecureCookieSessionInterface

from clinic_kit import care_teams, csrf_of, post_form, queue_rows, sign_in, signed_in, staff_member, text
from conftest import Caller, make_clinician
from service.extensions import db
from service.models import Clinician, Flag

ROW = re.compile(r'<tr class="flag-row[^"]*" data-flag-id="([0-9a-f-]{36})">(.*?)</tr>', re.S)
PASSWORD_SHOWN = re.compile(r'<code id="printed-password">([^<]+)</code>')


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
    return care_teams(app, client)


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


# ------------------------------------------------------------------ the admin's page


ADMIN_NAV = '<a href="/clinic/admin"'


def test_only_an_admin_reaches_the_admin_page_and_sees_its_link(app, world):
    for who in (world.pat, world.nia, world.owen):
        browser = browse(app, who)
        assert ADMIN_NAV not in text(browser.get("/clinic/"))
        answer = browser.get("/clinic/admin")
        assert answer.status_code == 403 and answer.mimetype == "text/html"
        page = text(answer)
        assert "<h1>Forbidden</h1>" in page and "Only a clinician with the role admin may do this" in page
        assert "Night team" not in page, "nothing of the clinic's staff on the refusal"
    ada = browse(app, world.ada)
    assert ADMIN_NAV in text(ada.get("/clinic/"))
    assert ada.get("/clinic/admin").status_code == 200


@pytest.mark.parametrize("path, form", [
    ("/clinic/admin/clinicians", {"email": "sneaky@example.org", "name": "Sneaky", "role": "admin"}),
    ("/clinic/admin/clinicians/{nia}/role", {"role": "admin"}),
    ("/clinic/admin/clinicians/{nia}/deactivate", {}),
    ("/clinic/admin/teams", {"name": "Shadow team"}),
    ("/clinic/admin/teams/{night}/members", {"clinician_id": "{nia}"}),
    ("/clinic/admin/teams/{day}/members/{nia}/remove", {}),
])
def test_no_admin_form_works_for_anyone_else(app, world, path, form):
    where = {"nia": world.nia.id, "night": world.night, "day": world.day}
    nurse = browse(app, world.nia)
    answer = post_form(nurse, path.format(**where), {k: v.format(**where) for k, v in form.items()})
    assert answer.status_code == 403
    assert "Only a clinician with the role admin may do this; yours is nurse." in text(answer)
    listed = {c["id"]: c for c in world.ada.get("/clinicians").json["items"]}
    assert listed[world.nia.id]["role"] == "nurse" and listed[world.nia.id]["active"]
    assert sorted(listed[world.nia.id]["team_ids"]) == [world.day]
    assert "sneaky@example.org" not in {c["email"] for c in listed.values()}
    assert {t["name"] for t in world.ada.get("/teams").json["items"]} == {"Riverside Clinic", "Night team"}


def test_the_admin_page_lists_the_clinicians_and_the_teams_with_their_members(app, world):
    page = text(browse(app, world.ada).get("/clinic/admin"))
    rows = re.findall(r'<tr data-clinician-id="([0-9a-f-]{36})"[^>]*>\s*<th scope="row" data-label="Name">([^<]+)',
                      page)
    assert [name.strip() for _, name in rows] == ["Ada Admin", "Nia Nurse", "Owen Night", "Pat Prescriber"]
    teams = dict(re.findall(r'data-clinician-id="([0-9a-f-]{36})".*?class="teams">([^<]*)</td>', page, re.S))
    assert teams == {world.ada.id: "none yet", world.nia.id: "Riverside Clinic", world.owen.id: "Night team",
                     world.pat.id: "Night team, Riverside Clinic"}
    assert world.nia.email in page and "nurse" in page
    night = re.search(rf'data-team-id="{world.night}">(.*?)</section>', page, re.S).group(1)
    assert re.findall(r'<span class="member">([^<]+)<', night) == ["Owen Night ", "Pat Prescriber "]
    # The admin's own row has no form that would take their role or their access away.
    own = re.search(rf'data-clinician-id="{world.ada.id}".*?</tr>', page, re.S).group(0)
    assert "/role" not in own and "/deactivate" not in own


def add_clinician(browser, **form):
    fields = {"email": "noor@example.org", "name": "Noor New", "role": "nurse", **form}
    return post_form(browser, "/clinic/admin/clinicians", fields, page="/clinic/admin")


def test_a_clinician_added_gets_a_password_shown_once_that_signs_in(app, world):
    ada = browse(app, world.ada)
    answer = post_form(ada, "/clinic/admin/clinicians", {"email": "Noor@Example.org", "name": "Noor New",
                                                         "role": "nurse", "team_ids": [world.day, world.night]},
                       page="/clinic/admin")
    assert answer.status_code == 201
    page = text(answer)
    password = PASSWORD_SHOWN.search(page).group(1)
    assert len(password) >= 12 and "Added Noor New (nurse)." in page
    assert "it is shown only on this page" in page
    # Never again: not on the admin page, not in the cookie the answer set.
    assert password not in text(ada.get("/clinic/admin"))
    assert not PASSWORD_SHOWN.search(text(ada.get("/clinic/admin")))
    cookie = next(v for v in answer.headers.getlist("Set-Cookie") if v.startswith("baclowatch_clinic="))
    session = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.split(";")[0].split("=", 1)[1])
    assert "session" in session and password not in json.dumps(session)
    listed = {c["email"]: c for c in world.ada.get("/clinicians").json["items"]}
    noor = listed["noor@example.org"]
    assert (noor["name"], noor["role"], sorted(noor["team_ids"])) == ("Noor New", "nurse",
                                                                      sorted([world.day, world.night]))
    newcomer = app.test_client()
    assert sign_in(newcomer, "noor@example.org", password).status_code == 302
    assert ids(newcomer.get("/clinic/")) == set(world.day_flags.values()) | set(world.night_flags.values())


def test_adding_a_clinician_with_wrong_fields_keeps_what_was_typed(app, world):
    ada = browse(app, world.ada)
    bad = add_clinician(ada, email="not an email", team_ids=[world.night])
    assert bad.status_code == 422
    page = text(bad)
    assert re.search(r'id="new-email-errors">\s*<p>Not a valid email address.</p>', page)
    assert re.search(r'<input id="new-email" name="email" type="email" required maxlength="254" autocomplete="off"\s+'
                     r'value="not an email" aria-invalid="true" aria-describedby="new-email-errors" autofocus>', page)
    assert 'value="Noor New"' in page and '<option value="nurse" selected>' in page
    assert f'value="{world.night}" checked' in page and f'value="{world.day}" checked' not in page
    assert not PASSWORD_SHOWN.search(page)
    taken = add_clinician(ada, email=world.nia.email.upper())
    assert taken.status_code == 409
    assert re.search(r'id="new-email-errors">\s*<p>A clinician with this email exists.</p>', text(taken))
    no_role = add_clinician(ada, role="")
    assert no_role.status_code == 422 and 'id="new-role-errors"' in text(no_role)
    forged = add_clinician(ada, team_ids=[world.night, "not-a-team"])
    assert forged.status_code == 422
    assert re.search(r'id="new-teams-errors">\s*<p>Not a valid UUID.</p>', text(forged))
    assert "noor@example.org" not in {c["email"] for c in world.ada.get("/clinicians").json["items"]}


def test_deactivating_a_clinician_ends_their_session_at_once(app, world):
    nia = browse(app, world.nia)
    assert nia.get("/clinic/").status_code == 200
    ada = browse(app, world.ada)
    answer = post_form(ada, f"/clinic/admin/clinicians/{world.nia.id}/deactivate", {}, page="/clinic/admin")
    assert answer.status_code == 302 and answer.headers["Location"] == "/clinic/admin"
    page = text(ada.get("/clinic/admin"))
    assert "Nia Nurse is deactivated: signed out everywhere, their API tokens revoked." in page
    assert re.search(rf'data-clinician-id="{world.nia.id}" class="inactive">', page)
    assert nia.get("/clinic/").status_code == 302, "her open session ended with the deactivation"
    assert sign_in(app.test_client(), world.nia.email).status_code == 200, "and she cannot sign in"
    assert world.nia.get("/patients").status_code == 401

    post_form(ada, f"/clinic/admin/clinicians/{world.nia.id}/reactivate", {}, page="/clinic/admin")
    assert "Nia Nurse is active again" in text(ada.get("/clinic/admin"))
    assert signed_in(app, world.nia.email).get("/clinic/").status_code == 200
    assert world.nia.get("/patients").status_code == 401, "her old API token stays revoked"


def test_an_admin_changes_a_clinicians_role(app, world):
    ada = browse(app, world.ada)
    answer = post_form(ada, f"/clinic/admin/clinicians/{world.nia.id}/role", {"role": "prescriber"},
                       page="/clinic/admin")
    assert answer.status_code == 302
    assert "Nia Nurse is now a prescriber." in text(ada.get("/clinic/admin"))
    assert world.nia.get("/clinic").json["role"] == "prescriber"
    bad = post_form(ada, f"/clinic/admin/clinicians/{world.nia.id}/role", {"role": "surgeon"}, page="/clinic/admin")
    assert bad.status_code == 422
    assert re.search(rf'id="role-errors-{world.nia.id}">\s*<p>Must be one of: admin, prescriber, nurse.</p>', text(bad))
    assert re.search(rf'<select id="role-{world.nia.id}" name="role" aria-invalid="true"', text(bad))
    assert world.nia.get("/clinic").json["role"] == "prescriber"


def test_an_admin_adds_a_team_and_its_members_and_takes_one_out(app, world):
    ada = browse(app, world.ada)
    assert post_form(ada, "/clinic/admin/teams", {"name": "  Weekend team "}, page="/clinic/admin").status_code == 302
    page = text(ada.get("/clinic/admin"))
    assert "Added the care team Weekend team." in page
    weekend = next(t["id"] for t in world.ada.get("/teams").json["items"] if t["name"] == "Weekend team")
    assert re.search(rf'data-team-id="{weekend}">\s*<h3 id="team-{weekend}">Weekend team</h3>\s*'
                     r'<p class="quiet">No members yet.</p>', page)

    again = post_form(ada, "/clinic/admin/teams", {"name": "Night team"}, page="/clinic/admin")
    assert again.status_code == 409
    assert re.search(r'id="team-name-errors">\s*<p>Your clinic has a team of this name.</p>', text(again))
    assert 'value="Night team" aria-invalid="true"' in text(again)
    assert post_form(ada, "/clinic/admin/teams", {"name": " "}, page="/clinic/admin").status_code == 422

    joined = post_form(ada, f"/clinic/admin/teams/{weekend}/members", {"clinician_id": world.nia.id},
                       page="/clinic/admin")
    assert joined.status_code == 302
    assert "Nia Nurse is a member of Weekend team." in text(ada.get("/clinic/admin"))
    assert {t["name"] for t in world.nia.get("/clinic").json["teams"]} == {"Riverside Clinic", "Weekend team"}
    blank = post_form(ada, f"/clinic/admin/teams/{weekend}/members", {"clinician_id": ""}, page="/clinic/admin")
    assert blank.status_code == 422
    assert re.search(rf'id="add-to-errors-{weekend}">\s*<p>Choose a clinician of the clinic.</p>', text(blank))

    left = post_form(ada, f"/clinic/admin/teams/{world.day}/members/{world.nia.id}/remove", {}, page="/clinic/admin")
    assert left.status_code == 302
    assert "Nia Nurse is no longer a member of Riverside Clinic." in text(ada.get("/clinic/admin"))
    assert [t["name"] for t in world.nia.get("/clinic").json["teams"]] == ["Weekend team"]
    assert browse(app, world.nia).get(f"/clinic/flags/{world.day_flags['urgent']}").status_code == 404, \
        "out of the team, out of its patients"


@pytest.mark.parametrize("path, form", [
    ("/clinic/admin/clinicians", {"email": "noor@example.org", "name": "Noor New", "role": "nurse"}),
    ("/clinic/admin/clinicians/{nia}/role", {"role": "admin"}),
    ("/clinic/admin/clinicians/{nia}/deactivate", {}),
    ("/clinic/admin/teams", {"name": "Weekend team"}),
    ("/clinic/admin/teams/{night}/members", {"clinician_id": "{nia}"}),
    ("/clinic/admin/teams/{day}/members/{nia}/remove", {}),
])
def test_every_admin_form_needs_its_csrf_token(app, world, path, form):
    where = {"nia": world.nia.id, "night": world.night, "day": world.day}
    ada = browse(app, world.ada)
    answer = ada.post(path.format(**where), data={k: v.format(**where) for k, v in form.items()})
    assert answer.status_code == 400 and "The form has expired" in text(answer)
    listed = {c["id"]: c for c in world.ada.get("/clinicians").json["items"]}
    assert (listed[world.nia.id]["role"], listed[world.nia.id]["active"]) == ("nurse", True)
    assert listed[world.nia.id]["team_ids"] == [world.day]
    assert len(listed) == 4 and len(world.ada.get("/teams").json["items"]) == 2


def test_another_clinics_clinicians_and_teams_are_404_on_the_admin_page(app, client, world):
    stranger = make_clinician(app, client, name="Dr Elsewhere")
    their_team = stranger.get("/clinic").json["teams"][0]["id"]
    ada = browse(app, world.ada)
    for path, form in ((f"/clinic/admin/clinicians/{stranger.id}/deactivate", {}),
                       (f"/clinic/admin/clinicians/{stranger.id}/role", {"role": "nurse"}),
                       (f"/clinic/admin/teams/{their_team}/members", {"clinician_id": world.nia.id}),
                       (f"/clinic/admin/teams/{world.day}/members", {"clinician_id": stranger.id})):
        assert post_form(ada, path, form, page="/clinic/admin").status_code == 404, path
    with app.app_context():
        elsewhere = db.session.get(Clinician, uuid.UUID(stranger.id))
        assert (elsewhere.active, elsewhere.role) == (True, "prescriber")
    assert stranger.get("/patients").status_code == 200
    assert "Dr Elsewhere" not in text(ada.get("/clinic/admin"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Clinician)
                                 .where(Clinician.clinic_id == uuid.UUID(world.clinic["id"]))) == 4
