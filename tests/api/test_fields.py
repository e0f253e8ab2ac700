"""The field-spec reader (src/api/common.c, kg_api_fields): every refusal of a
JSON body is one 422 problem naming the field, with the same detail texts
whatever the endpoint, and the "parse the id, 404 otherwise" openings."""
import pytest

from conftest import problem
from test_discussions import body as discussion_body
from test_projects import PROJECT, make_project

SIGNUP = {"email": "fields@example.org", "password": "длинный пароль для проверки",
          "full_name": "Поля Проверкина", "consent": True}


def refused(r, field, message, status=422):
    """The one shape: status, detail "<field>: <message>", errors [{field, message}]."""
    b = problem(r, status, field)
    # each entry also carries its machine code (test_problem_codes.py)
    assert [{k: e[k] for k in ("field", "message")} for e in b["errors"]] == [
        {"field": field, "message": message}], b
    assert b["detail"] == "%s: %s" % (field, message), b
    return b


# ---- strings (KG_API_STR) ----

@pytest.mark.parametrize("over, field, message", [
    ({"title": None}, "title", "is required"),
    ({"title": 5}, "title", "must be a string"),
    ({"title": "  \n "}, "title", "must not be empty"),
    ({"title": "x" * 301}, "title", "must be at most 300 characters"),
    ({"title": "a\u0007b"}, "title", "must be text without control characters"),
    ({"colour": "red"}, "colour", "is not a known field"),
])
def test_string_refusals_have_one_shape(mod, over, field, message):
    refused(mod.post("/api/v1/projects", dict(PROJECT, **over)), field, message)


def test_characters_not_bytes_are_counted(mod):
    # 300 two-byte letters fit "at most 300 characters"
    r = mod.post("/api/v1/projects", dict(PROJECT, title="ж" * 300))
    assert r.status == 201, r


def test_unknown_member_is_refused_before_the_fields(mod):
    r = mod.post("/api/v1/projects", {"title": 5, "z" * 100: 1})
    refused(r, "z" * 64, "is not a known field")


def test_the_first_bad_field_of_the_table_is_named(mod):
    refused(mod.post("/api/v1/projects", {"organizer": 1, "title": 1}), "title", "must be a string")


# ---- trimmed strings, passwords, booleans (sign-up) ----

@pytest.mark.parametrize("over, field, message", [
    ({"email": "  "}, "email", "must not be empty"),
    ({"email": "x" * 300 + "@example.org"}, "email", "is too long"),
    ({"email": "not an address"}, "email", "must be an e-mail address such as name@example.org"),
    ({"password": 12345678}, "password", "must be a string"),
    ({"password": None}, "password", "is required"),
    ({"full_name": ["Поля"]}, "full_name", "must be a string"),
    ({"full_name": "я" * 201}, "full_name", "must be at most 200 characters"),
    ({"consent": False}, "consent",
     "must be true: taking part needs your consent to the processing of your personal data"),
    ({"consent": "yes"}, "consent",
     "must be true: taking part needs your consent to the processing of your personal data"),
])
def test_signup_refusals(anon, over, field, message):
    refused(anon.post("/api/v1/accounts", dict(SIGNUP, **over)), field, message)


def test_password_rule_names_the_password(anon):
    b = problem(anon.post("/api/v1/accounts", dict(SIGNUP, password="short")), 422, "password")
    assert b["errors"][0]["field"] == "password" and b["errors"][0]["message"]


def test_trimmed_email_is_what_is_checked(anon):
    # white space around a good address is trimmed, so the next field is reached
    refused(anon.post("/api/v1/accounts", dict(SIGNUP, email="  a@example.org ", full_name=" ")),
            "full_name", "must not be empty")


# ---- ids, times, nested objects in arrays (discussions) ----

@pytest.mark.parametrize("over, field, message", [
    ({"project_id": None}, "project_id", "is required and must be a positive integer"),
    ({"project_id": "1"}, "project_id", "is required and must be a positive integer"),
    ({"project_id": 0}, "project_id", "is required and must be a positive integer"),
    ({"project_id": 1.5}, "project_id", "is required and must be a positive integer"),
    ({"opens_at": "next week"}, "opens_at",
     "must be an RFC 3339 date-time such as 2026-12-01T09:00:00Z"),
    ({"opens_at": "2" * 41}, "opens_at", "must be at most 40 characters"),
    ({"territory": [1, 2]}, "territory", "is required: a GeoJSON Polygon or MultiPolygon object"),
    ({"expositions": {"place": "x"}}, "expositions", "must be an array of at most 20 places"),
    ({"expositions": [{"place": "x"}] * 21}, "expositions", "must be an array of at most 20 places"),
    ({"expositions": ["x"]}, "expositions[0]",
     "must be an object {place, hours, opens_at, closes_at}"),
    ({"expositions": [{"place": "a"}, {"hours": "9-17"}]}, "expositions[1].place", "is required"),
    ({"expositions": [{"place": "a", "opens_at": 7}]}, "expositions[0].opens_at",
     "must be a string"),
    ({"expositions": [{"place": "a", "floor": 2}]}, "expositions[0].floor",
     "is not a known field"),
])
def test_discussion_refusals(mod, over, field, message):
    pid = make_project(mod)["id"]
    refused(mod.post("/api/v1/discussions", discussion_body(pid, **over)), field, message)


# ---- a field required unless another is true; the 404 openings ----

def account_id(c):
    return c.get("/api/v1/me").json["id"]


def test_note_is_required_only_for_a_refusal(mod, citizen):
    url = "/api/v1/accounts/%d/residence/verification" % account_id(citizen)
    refused(mod.post(url, {"note": "x"}), "verified", "is required: true to confirm, false to refuse")
    refused(mod.post(url, {"verified": 1}), "verified", "is required: true to confirm, false to refuse")
    refused(mod.post(url, {"verified": False}), "note", "is required")
    refused(mod.post(url, {"verified": False, "note": " "}), "note", "must not be empty")
    refused(mod.post(url, {"verified": True, "note": 3}), "note", "must be a string")


def test_location_is_known_only_for_residences(mod, citizen):
    url = "/api/v1/accounts/%d/properties/1/verification" % account_id(citizen)
    refused(mod.post(url, {"verified": True, "location": None}), "location", "is not a known field")


def test_role_is_checked_by_its_rule(admin, citizen):
    url = "/api/v1/accounts/%d/role" % account_id(citizen)
    refused(admin.put(url, {"role": "king"}), "role", "must be citizen, moderator or admin")
    refused(admin.put(url, {"role": "admin", "why": 1}), "why", "is not a known field")
    b = problem(admin.put("/api/v1/accounts/x/role", {"role": "citizen"}), 404)
    assert b["detail"] == "there is no such account"


@pytest.mark.parametrize("path, detail", [
    ("/api/v1/discussions/abc", "no such discussion"),
    ("/api/v1/discussions/0", "no such discussion"),
    ("/api/v1/projects/-1", "no such project"),
    ("/api/v1/documents/1e3", "no such document"),
])
def test_bad_ids_open_nothing(anon, path, detail):
    b = problem(anon.get(path), 404)
    assert b["detail"] == detail


@pytest.mark.parametrize("body, field, message", [
    ({"cadastral_number": "16-50"}, "cadastral_number",
     "must be a cadastral number such as 16:50:011105:123 (NN:NN:NNNNNN(N):N, digits only)"),
    ({"cadastral_number": " 16:50:011105:1 ", "geometry": "POLYGON"}, "geometry",
     "must be a GeoJSON Polygon or MultiPolygon object"),
    ({"cadastral_number": "1" * 41}, "cadastral_number", "must be at most 40 characters"),
])
def test_property_refusals(citizen, body, field, message):
    refused(citizen.post("/api/v1/me/properties", body), field, message)
