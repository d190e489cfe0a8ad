from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisations.models import Delegation
from organisations.selectors import acting_for, principals_of
from organisations.services import delegation_create


@pytest.fixture(autouse=True)
def _first_of_december(time_machine):
    """The periods below start on 1 December: delegations start today or later."""
    time_machine.move_to("2026-12-01 09:00 +07:00")


def test_a_person_names_who_acts_for_them_while_away(demo, client):
    client.force_login(demo["chief"])
    response = client.post(
        reverse("away"),
        {
            "delegate": demo["drafter"].pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-10",
            "reason": "បេសកកម្ម",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (demo["chief"], demo["drafter"])
    assert "បេសកកម្ម" in client.get(reverse("away")).content.decode()


def test_a_delegate_acts_only_during_the_period(demo):
    delegation_create(
        delegator=demo["chief"],
        delegate=demo["drafter"],
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 10),
    )
    drafter = demo["drafter"]
    assert demo["chief"] in principals_of(drafter, on=date(2026, 12, 5))
    assert demo["chief"] not in principals_of(drafter, on=date(2026, 12, 11))


def test_the_delegate_holds_the_absent_persons_permissions(demo, time_machine):
    delegation_create(
        delegator=demo["chief"],
        delegate=demo["drafter"],
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 10),
    )
    time_machine.move_to("2026-12-05 09:00 +07:00")
    from organisations.models import User

    drafter = User.objects.get(username="drafter")
    assert drafter.has_perm("workflows.review_as_office_chief")
    assert acting_for(drafter, demo["chief"]) == demo["chief"]
    time_machine.move_to("2026-12-11 09:00 +07:00")
    drafter = User.objects.get(username="drafter")
    assert not drafter.has_perm("workflows.review_as_office_chief")


@pytest.mark.parametrize(
    ("delegate", "starts", "ends", "field"),
    [
        ("chief", "2026-12-01", "2026-12-10", "delegate"),  # themself
        ("reviewer-mef", "2026-12-01", "2026-12-10", "delegate"),  # another ministry
        ("drafter", "2026-12-10", "2026-12-01", "ends_on"),  # backwards
    ],
)
def test_bad_delegations_are_refused(demo, delegate, starts, ends, field):
    with pytest.raises(ValidationError) as error:
        delegation_create(
            delegator=demo["chief"],
            delegate=demo[delegate],
            starts_on=date.fromisoformat(starts),
            ends_on=date.fromisoformat(ends),
        )
    assert field in error.value.message_dict


def test_away_is_in_the_user_menu_and_offers_only_whom_the_policy_allows(demo, client):
    from organisations.permissions import user_policy

    client.force_login(demo["chief"])
    body = client.get(reverse("workflow:inbox")).content.decode()
    menu = body.split("vf-page__menu-secondary", 1)[1]
    assert f'href="{reverse("away")}"' in menu  # in the user menu, beside Log out

    form = client.get(reverse("away")).context["form"]
    offered = {user.username for user in form.fields["delegate"].queryset}
    allowed = set(
        user_policy.queryset(demo["chief"], "name_as_delegate").values_list("username", flat=True)
    )
    assert offered == allowed and "drafter" in offered
    assert "reviewer-mef" not in offered and "chief" not in offered
    # Each colleague shown with their organisation.
    drafter = demo["drafter"]
    label = form.fields["delegate"].label_from_instance(drafter)
    assert str(drafter) in label and drafter.organisation.name in label
    assert drafter.organisation.name in client.get(reverse("away")).content.decode()
