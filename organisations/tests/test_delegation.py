"""Delegation: ends at once, bounded periods, the organisation chart, separation of duties,
and an acting director-general who signs."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Delegation, User
from organisations.selectors import principals_of
from organisations.services import delegation_create, delegation_end
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Decision, SignOff, SignOffDecision
from workflows.tests.conftest import act, open_task
from workflows.tests.conftest import instrument as instrument  # noqa: F401 - the fixture

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _first_of_december(time_machine):
    time_machine.move_to("2026-12-01 09:00 +07:00", tick=False)


def fresh(user) -> User:
    """The person as their next request sees them (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


def away(client, user, delegate, starts_on, ends_on):
    client.force_login(user)
    return client.post(
        reverse("away"),
        {
            "delegate": delegate.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "reason": "",
        },
    )


# (a) Ending takes effect at once.


def test_ending_a_delegation_on_the_away_page_takes_effect_at_once(demo, client):
    chief, drafter = demo["chief"], demo["drafter"]
    delegation = delegation_create(
        delegator=chief, delegate=drafter, starts_on=TODAY, ends_on=TODAY + timedelta(days=5)
    )
    assert fresh(drafter).has_perm("workflows.review_as_office_chief")
    with pytest.raises(PermissionDenied):  # only the person away (or the admin) ends it
        delegation_end(delegation=delegation, user=drafter)
    client.force_login(chief)
    response = client.post(reverse("away"), {"end": delegation.pk})
    assert response.status_code == 302
    assert not fresh(drafter).has_perm("workflows.review_as_office_chief")  # the same day
    assert chief not in principals_of(fresh(drafter))
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    assert (delegation.starts_on, delegation.ends_on) == (TODAY, TODAY + timedelta(days=5))


def test_a_delegation_ended_before_it_starts_never_applies(demo):
    chief, drafter = demo["chief"], demo["drafter"]
    delegation = delegation_create(
        delegator=chief,
        delegate=drafter,
        starts_on=TODAY + timedelta(days=2),
        ends_on=TODAY + timedelta(days=5),
    )
    assert delegation_end(delegation=delegation, user=chief)
    assert chief not in principals_of(fresh(drafter), on=TODAY + timedelta(days=3))


# (b) Ending an expired delegation does not revive it.


def test_ending_an_expired_delegation_leaves_it_as_it_was(demo, client, time_machine):
    chief, drafter = demo["chief"], demo["drafter"]
    delegation = delegation_create(
        delegator=chief, delegate=drafter, starts_on=TODAY, ends_on=TODAY + timedelta(days=2)
    )
    time_machine.move_to("2026-12-10 09:00 +07:00", tick=False)
    client.force_login(chief)
    response = client.post(reverse("away"), {"end": delegation.pk}, follow=True)
    assert "already over" in response.content.decode() or "ផុតកំណត់រួចហើយ" in (
        response.content.decode()
    )
    delegation.refresh_from_db()
    assert delegation.ends_on == TODAY + timedelta(days=2)  # not stretched to today
    assert delegation.ended_at is None
    assert chief not in principals_of(fresh(drafter))
    assert not fresh(drafter).has_perm("workflows.review_as_office_chief")


# (c) Bounded periods.


def test_a_period_starts_today_or_later(demo):
    with pytest.raises(ValidationError) as error:
        delegation_create(
            delegator=demo["chief"],
            delegate=demo["drafter"],
            starts_on=TODAY - timedelta(days=1),
            ends_on=TODAY + timedelta(days=3),
        )
    assert "starts_on" in error.value.message_dict
    assert not Delegation.objects.exists()


def test_a_period_lasts_at_most_a_year(demo):
    with pytest.raises(ValidationError) as error:
        delegation_create(
            delegator=demo["chief"],
            delegate=demo["drafter"],
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=366),
        )
    assert "ends_on" in error.value.message_dict
    assert not Delegation.objects.exists()
    delegation_create(  # a whole year, first and last days included, is allowed
        delegator=demo["chief"],
        delegate=demo["drafter"],
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=365),
    )


def test_the_away_page_refuses_a_period_in_the_past(demo, client):
    response = away(
        client, demo["chief"], demo["drafter"], TODAY - timedelta(days=3), TODAY + timedelta(1)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "ការប្រគល់សិទ្ធិចាប់ផ្តើមពីថ្ងៃនេះ ឬក្រោយនេះ។" in body
    assert not Delegation.objects.exists()


# (e) Who may act for whom: the organisation chart; an acting director-general.


def test_the_dg_names_a_deputy_or_a_direct_report_on_the_away_page(demo, client):
    dg = demo["dg"]
    for refused in ("drafter", "admin", "reviewer-mef"):  # not in the DG's place on the chart
        response = away(client, dg, demo[refused], TODAY, TODAY + timedelta(days=3))
        assert response.status_code == 200, refused
    assert not Delegation.objects.exists()
    response = away(client, dg, demo["deputy-dg"], TODAY, TODAY + timedelta(days=3))
    assert response.status_code == 302
    response = away(client, dg, demo["director"], TODAY, TODAY + timedelta(days=3))
    assert response.status_code == 302
    assert set(Delegation.objects.values_list("delegate__username", flat=True)) == {
        "deputy-dg",
        "director",
    }


def test_the_away_page_offers_only_the_people_who_may_act(demo, client):
    client.force_login(demo["dg"])
    choices = client.get(reverse("away")).context["form"].fields["delegate"].queryset
    assert set(choices.values_list("username", flat=True)) == {"deputy-dg", "director"}


def sign_off_task(demo, instrument):
    from workflows.tests.test_journey import consolidate, through_internal_review

    from .test_reviewer_rights import answer_all

    process = through_internal_review(demo, instrument)
    answer_all(demo, process)
    consolidate(demo, process, "legal")
    act(
        open_task(process, ApprovalFlow.legal_review),
        demo["legal"],
        services.review_decide,
        decision=Decision.APPROVE,
        reason="",
    )
    return process, open_task(process, ApprovalFlow.sign_off)


def test_an_acting_director_general_signs_and_the_record_says_for_whom(demo, instrument, client):
    process, task = sign_off_task(demo, instrument)
    away(client, demo["dg"], demo["deputy-dg"], TODAY, TODAY + timedelta(days=3))
    deputy = fresh(demo["deputy-dg"])
    act(task, deputy, services.sign_off_decide, decision=SignOffDecision.APPROVE, reason="")
    sign_off = SignOff.objects.get(process=process)
    assert (sign_off.signed_by, sign_off.acting_for) == (demo["deputy-dg"], demo["dg"])
    client.force_login(demo["dg"])
    page = client.get(reverse("verify"), {"sha256": sign_off.sha256})
    assert str(demo["dg"]) in page.content.decode()


# (d) Separation of duties.


def test_a_drafter_acting_for_their_chief_cannot_review_their_own_draft(demo, instrument):
    chief, drafter = demo["chief"], demo["drafter"]
    process = services.process_start(instrument=instrument, user=drafter)
    delegation_create(delegator=chief, delegate=drafter, starts_on=TODAY, ends_on=TODAY)
    task = open_task(process, ApprovalFlow.chief_review)
    with pytest.raises(PermissionDenied):
        act(task, fresh(drafter), services.review_decide, decision=Decision.APPROVE, reason="")
    task.refresh_from_db()
    assert (task.owner, task.status) == (chief, "ASSIGNED")  # still the chief's, undone


def test_a_co_drafter_acting_for_the_task_holder_cannot_execute_it(demo, instrument):
    chief, legal = demo["chief"], demo["legal"]
    instrument.co_drafters.add(legal)
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    task.owner, task.status = chief, "ASSIGNED"
    task.save()
    delegation_create(delegator=chief, delegate=demo["registry"], starts_on=TODAY, ends_on=TODAY)
    # legal is in the same department: the chief may name them too.
    delegation_create(delegator=chief, delegate=legal, starts_on=TODAY, ends_on=TODAY)
    assert not task.flow_task.can_execute(fresh(legal), task)
    assert task.flow_task.can_execute(fresh(demo["registry"]), task)  # drafted nothing


def test_the_acting_dg_cannot_sign_an_instrument_they_drafted(demo, instrument, client):
    process, task = sign_off_task(demo, instrument)
    instrument.co_drafters.add(demo["deputy-dg"])
    away(client, demo["dg"], demo["deputy-dg"], TODAY, TODAY + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        act(
            task,
            fresh(demo["deputy-dg"]),
            services.sign_off_decide,
            decision=SignOffDecision.APPROVE,
            reason="",
        )
    assert not SignOff.objects.filter(process=process).exists()


# A page reads whom a person acts for, and their roles, once.


@pytest.mark.parametrize("username", ["chief", "dg", "reviewer-mef"])
def test_a_page_reads_the_persons_delegations_and_roles_once(demo, client, username):
    """The menu, viewflow's checks and the policies ask through ``request.user`` (a lazy
    proxy) and through the user itself: both must find what the first asked."""
    client.force_login(demo[username])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("workflow:inbox")).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert len([q for q in sql if '"organisations_delegation"' in q]) == 1
    assert len([q for q in sql if q.startswith('SELECT "auth_group"."id"')]) == 1
