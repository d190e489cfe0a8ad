"""403, 404 and 500 are Lekhit's pages: in the person's language, in the frame where the
request allows it, with the way back to their work, and never viewflow's internal words."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from project.errors import forbidden, server_error
from tasks.tests.conftest import new_instrument
from workflows import services
from workflows.driving import drive
from workflows.flows import ApprovalFlow

pytestmark = pytest.mark.django_db

MENU = 'class="vf-page__menu mdc-drawer'


def test_a_page_that_does_not_exist_is_ours_in_the_frame(demo, client):
    client.force_login(demo["chief"])
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'lang="km"' in body and "រកមិនឃើញទំព័រ" in body
    assert MENU in body and f'href="{reverse("home")}"' in body


def test_a_visitor_s_404_offers_to_sign_in(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (302, 404)  # sign-in required first, or our page
    if response.status_code == 404:
        assert reverse("login") in response.content.decode()


def test_a_finished_task_s_page_never_shows_viewflow_s_internal_message(demo, client):
    instrument = new_instrument(demo)
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    drive(process, "chief_review", demo["chief"], decision="approve", reason="")
    task = process.task_set.get(flow_task=ApprovalFlow.chief_review)
    client.force_login(demo["chief"])
    response = client.get(task.flow_task.reverse("undo", args=[process.pk, task.pk]))
    body = response.content.decode()
    assert "no transition" not in body and "DONE" not in body
    # Its form and assign pages lead to what was decided (the inbox's section 4); undoing it
    # from a stale page, viewflow refuses (PermissionDenied with its state machine's words):
    # the page says it in Khmer, in the frame.
    assert response.status_code == 403
    assert "Chief Review" not in body and MENU in body


def test_lekhit_s_own_reason_for_a_refusal_is_shown(demo):
    request = RequestFactory().get("/")
    request.user = demo["chief"]
    with translation.override("km"):
        response = forbidden(request, PermissionDenied("ហេតុផលរបស់យើង"))
    assert response.status_code == 403 and "ហេតុផលរបស់យើង" in response.content.decode()


def test_the_500_page_is_plain_translated_and_in_our_fonts():
    with translation.override("km"):
        response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "មានបញ្ហាកើតឡើង" in body and "css/lekhit.css" in body
    assert "<script" not in body
