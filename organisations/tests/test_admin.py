"""The admin applies the services' rules: nobody gives a right they do not hold.

Through the real admin URLs, as the demo administrator (staff, administrator role, not a
superuser) and, for what only a superuser may do, as one.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from organisations.models import Delegation, RoleChange, User
from organisations.roles import Role

CHANGE = "/admin/organisations/user/{}/change/"


class _FormFields(HTMLParser):
    """What a browser would send for the admin's change form, as it stands."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        kind = attrs.get("type", "text")
        if tag == "input" and name and kind not in {"submit", "button", "file"}:
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(client, url) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def groups_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def group_pk(role) -> str:
    return str(Group.objects.get(name=role.value).pk)


@pytest.fixture
def admin_client(demo, client):
    """The demo administrator, reading English (the Khmer messages have a test of their own)."""
    User.objects.filter(pk=demo["admin"].pk).update(language="en")
    client.force_login(demo["admin"])
    return client


@pytest.fixture
def superuser_client(demo, client):
    root = User.objects.create_superuser("root", "root@lekhit.example", "x", language="en")
    client.force_login(root)
    return client


def test_the_administrator_cannot_make_itself_a_superuser(demo, admin_client):
    admin = demo["admin"]
    url = CHANGE.format(admin.pk)
    data = form_data(admin_client, url)
    assert "is_superuser" not in data  # shown read-only, not a box to tick
    data["is_superuser"] = ["on"]
    data["is_staff"] = ["on"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "createsuperuser" in response.content.decode()
    assert not User.objects.get(pk=admin.pk).is_superuser


def test_the_administrator_cannot_give_itself_the_director_generals_role(demo, admin_client):
    admin = demo["admin"]
    url = CHANGE.format(admin.pk)
    data = form_data(admin_client, url)
    data["groups"] = [*data.get("groups", []), group_pk(Role.DIRECTOR_GENERAL)]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Nobody changes their own roles" in response.content.decode()
    assert groups_of(admin) == {Role.ADMINISTRATOR.value}
    assert not RoleChange.objects.filter(changed_by=admin).exists()


def test_the_administrator_cannot_give_anyone_a_role_it_does_not_hold(demo, admin_client):
    head = demo["head-mef"]
    url = CHANGE.format(head.pk)
    data = form_data(admin_client, url)
    data["groups"] = [group_pk(Role.DIRECTOR_GENERAL)]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Not: Director-general" in response.content.decode()
    assert groups_of(head) == set()
    assert not RoleChange.objects.filter(person=head).exists()


def test_the_refusal_is_in_khmer_for_a_khmer_administrator(demo, admin_client):
    User.objects.filter(pk=demo["admin"].pk).update(language="km")
    head = demo["head-mef"]
    url = CHANGE.format(head.pk)
    data = form_data(admin_client, url)
    data["groups"] = [group_pk(Role.DIRECTOR_GENERAL)]
    body = admin_client.post(url, data).content.decode()
    assert "អ្នកអាចផ្តល់ ឬដកចេញបានតែតួនាទី" in body


def test_a_role_the_administrator_holds_is_given_and_recorded(demo, admin_client):
    head, admin = demo["head-mef"], demo["admin"]
    url = CHANGE.format(head.pk)
    data = form_data(admin_client, url)
    data["groups"] = [group_pk(Role.MINISTRY_REVIEWER)]
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert groups_of(head) == {Role.MINISTRY_REVIEWER.value}
    change = RoleChange.objects.get(person=head, changed_by=admin)
    assert (change.roles_before, change.roles_after) == ([], [Role.MINISTRY_REVIEWER.value])
    # The administrator reads the trail in the admin, and cannot write to it.
    listing = admin_client.get("/admin/organisations/rolechange/")
    assert listing.status_code == 200 and str(head) in listing.content.decode()
    assert admin_client.get(f"/admin/organisations/rolechange/{change.pk}/change/").status_code
    assert admin_client.get("/admin/organisations/rolechange/add/").status_code == 403
    assert admin_client.post(f"/admin/organisations/rolechange/{change.pk}/delete/").status_code
    assert RoleChange.objects.filter(pk=change.pk).exists()


def test_the_directors_generals_account_is_read_only_to_the_administrator(demo, admin_client):
    dg = demo["dg"]
    password = User.objects.get(pk=dg.pk).password
    page = admin_client.get(CHANGE.format(dg.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        f"/admin/organisations/user/{dg.pk}/password/",
        {"password1": "taken-over-1", "password2": "taken-over-1", "usable_password": "true"},
    )
    assert response.status_code == 403
    data = form_data(admin_client, CHANGE.format(demo["head-mef"].pk))
    data["username"] = ["dg-renamed"]
    assert admin_client.post(CHANGE.format(dg.pk), data).status_code == 403
    dg = User.objects.get(pk=dg.pk)
    assert dg.password == password and dg.username == "dg"


def test_the_administrator_cannot_make_a_delegation_from_the_dg_to_itself(demo, admin_client):
    today = timezone.localdate()
    response = admin_client.post(
        "/admin/organisations/delegation/add/",
        {
            "delegator": demo["dg"].pk,
            "delegate": demo["admin"].pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=5)).isoformat(),
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert "whose rights you hold yourself" in response.content.decode()
    assert not Delegation.objects.exists()


def test_a_superuser_still_cannot_tick_superuser_but_gives_any_role(demo, superuser_client):
    head = demo["head-mef"]
    url = CHANGE.format(head.pk)
    data = form_data(superuser_client, url)
    data["is_superuser"] = ["on"]
    assert superuser_client.post(url, data).status_code == 200
    assert not User.objects.get(pk=head.pk).is_superuser
    data.pop("is_superuser")
    data["groups"] = [group_pk(Role.DIRECTOR_GENERAL)]
    assert superuser_client.post(url, data).status_code == 302
    assert groups_of(head) == {Role.DIRECTOR_GENERAL.value}
    change = RoleChange.objects.get(person=head)
    assert change.changed_by.username == "root"
    assert change.roles_after == [Role.DIRECTOR_GENERAL.value]


def test_the_admins_delegations_follow_the_away_pages_rules(demo, superuser_client):
    today = timezone.localdate()
    form = {
        "delegator": demo["dg"].pk,
        "delegate": demo["drafter"].pk,  # not someone who may act for the DG
        "starts_on": (today - timedelta(days=1)).isoformat(),  # and in the past
        "ends_on": (today + timedelta(days=400)).isoformat(),  # and too long
        "reason": "",
    }
    body = superuser_client.post("/admin/organisations/delegation/add/", form).content.decode()
    assert "A delegation starts today or later" in body
    assert "Choose a colleague of the same organisation" in body
    assert not Delegation.objects.exists()
    form.update(
        delegate=demo["deputy-dg"].pk,
        starts_on=today.isoformat(),
        ends_on=(today + timedelta(days=5)).isoformat(),
    )
    response = superuser_client.post("/admin/organisations/delegation/add/", form)
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.history.get().history_user.username == "root"
    response = superuser_client.post(
        "/admin/organisations/delegation/",
        {"action": "end_now", "_selected_action": [delegation.pk]},
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    assert delegation.ends_on == today + timedelta(days=5)
