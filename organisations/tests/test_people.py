import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from organisations.models import Organisation, User
from organisations.roles import ROLE_PERMISSIONS, Role


def test_every_role_is_a_group_with_exactly_its_permissions(db):
    for role in Role:
        group = Group.objects.get(name=role.value)
        granted = {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(ROLE_PERMISSIONS[role])


def test_seed_demo_is_idempotent_and_makes_one_user_per_role(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    expected = {
        "drafter",
        "chief",
        "director",
        "legal",
        "dg",
        "deputy-dg",
        "registry",
        "admin",
        "reviewer-mef",
        "reviewer-moh",
        "reviewer-ncdd",
        "head-mef",
        "head-moh",
        "head-ncdd",
    }
    assert set(User.objects.values_list("username", flat=True)) == expected
    assert Organisation.objects.filter(code="dfr-fr").count() == 1
    drafter = User.objects.get(username="drafter")
    assert drafter.check_password("demo")
    assert drafter.role_names() == {Role.DRAFTER.value}
    assert drafter.supervisor.username == "chief"
    reviewer = User.objects.get(username="reviewer-mef")
    assert reviewer.supervisor.username == "head-mef" and not reviewer.supervisor.role_names()
    assert drafter.organisation.ancestors()[-1].code == "dfr"
    assert "reviewer-mef" in capsys.readouterr().out


def test_seed_demo_prints_the_logins_in_the_language_it_speaks(db, capsys):
    from django.utils import translation

    with translation.override("km"):
        call_command("seed_demo")
    printed = capsys.readouterr().out
    drafter = next(line for line in printed.splitlines() if line.strip().startswith("drafter "))
    assert "អ្នកតាក់តែង" in drafter  # the role's name, not "drafter" or "Drafter"
    assert Organisation.objects.get(code="dfr-fr").name_km in drafter
    assert "Drafter" not in drafter


def test_organisation_names_follow_the_language(demo):
    from django.utils import translation

    mef = Organisation.objects.get(code="mef")
    with translation.override("km"):
        assert str(mef) == "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ"
    with translation.override("en"):
        assert str(mef) == "Ministry of Economy and Finance"


def test_the_language_switch_is_remembered_on_the_account(demo, client):
    drafter = demo["drafter"]
    client.force_login(drafter)
    inbox = reverse("workflow:inbox")
    response = client.get(inbox)
    assert response.headers["Content-Language"] == "km"

    response = client.post(reverse("language_switch"), {"language": "en", "next": inbox})
    assert response.status_code == 302 and response.url == inbox
    drafter.refresh_from_db()
    assert drafter.language == "en"

    # A new browser (no cookie) still gets English once signed in.
    client.cookies.clear()
    client.force_login(drafter)
    assert client.get(inbox).headers["Content-Language"] == "en"


def test_anonymous_visitors_get_khmer_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "km"
    assert '<html lang="km"' in response.content.decode()


def test_pages_need_a_signed_in_user(client, db):
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_browser_asking_for_english_still_gets_khmer_until_the_visitor_chooses(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "km"
    client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="km")
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("reviewer-mef", "/workflow/inbox/"),
        ("drafter", "/workflow/inbox/"),
        ("head-mef", "/notifications/"),
    ],
)
def test_home_leads_each_person_to_a_page_they_may_open(db, client, username, lands_on):
    call_command("seed_demo")
    client.force_login(User.objects.get(username=username))
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == lands_on


def test_people_choices_name_the_active_people_as_their_models_do(db, django_assert_num_queries):
    """A filter's choice of people: each active person (not a superuser) by the name their
    model gives (full name, else username), in one query."""
    from organisations.selectors import people_choices

    named = User.objects.create_user("named", first_name="សុខ", last_name="ចាន់")
    plain = User.objects.create_user("plain")
    User.objects.create_user("left", first_name="គ", is_active=False)
    User.objects.create_superuser("root", password="x")  # noqa: S106 - a test's own
    with django_assert_num_queries(1):
        choices = dict(people_choices())
    assert choices == {
        person.pk: str(person) for person in User.objects.filter(is_active=True, is_superuser=False)
    }
    assert choices[named.pk] == "សុខ ចាន់" and choices[plain.pk] == "plain"
    assert "គ" not in choices.values() and "root" not in choices.values()
