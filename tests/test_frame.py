"""Every page a signed-in person opens is drawn in the application's frame: viewflow's side
menu (with their inbox) and top bar, not a bare bar with no way back to their work."""

import pytest
from django.urls import reverse

from tasks.tests.conftest import new_instrument
from workflows import services

pytestmark = pytest.mark.django_db

MENU = 'class="vf-page__menu mdc-drawer'


def test_the_pages_beside_the_viewflow_site_are_in_its_frame(demo, client):
    instrument = new_instrument(demo)
    services.process_start(instrument=instrument, user=demo["drafter"])
    client.force_login(demo["chief"])
    inbox = reverse("workflow:inbox")
    for path in [
        reverse("workflows:instrument_process", args=[instrument.pk]),
        reverse("away"),
        reverse("notifications:list"),
        reverse("workflow:queue"),  # a page of the site itself, unchanged
    ]:
        body = client.get(path).content.decode()
        assert MENU in body, path
        assert f'href="{inbox}"' in body, path  # the way back to the person's work


def test_the_side_menu_counts_the_person_s_inbox_beside_the_site(demo, client):
    instrument = new_instrument(demo)
    services.process_start(instrument=instrument, user=demo["drafter"])
    client.force_login(demo["chief"])
    body = client.get(reverse("away")).content.decode()
    # The chief's review is the one chief's at once: it is counted in their inbox.
    queue = body.split(f'href="{reverse("workflow:inbox")}"', 1)[1].split("</a>", 1)[0]
    assert "mdc-list-item__meta" in queue
    assert ">1<" in queue.replace(" ", "").replace("\n", "") or "១" in queue


def test_a_public_page_has_no_menu_for_a_visitor(client):
    body = client.get(reverse("verify")).content.decode()
    assert MENU not in body


def test_the_frame_offers_no_tasks_menu_to_whom_viewflow_refuses_it(demo, client):
    """A ministry's head holds no step: the Tasks application refuses them its inbox, queue
    and archive, so the frame of their pages must not offer the links (each would be a 403)."""
    client.force_login(demo["head-mef"])
    assert client.get(reverse("workflow:archive")).status_code == 403
    body = client.get(reverse("notifications:list")).content.decode()
    for name in ("workflow:inbox", "workflow:queue", "workflow:archive"):
        assert f'href="{reverse(name)}"' not in body, name
    assert reverse("notifications:preferences") in body  # the rest of the frame is there


def test_changing_one_s_password_is_a_page_of_the_application(demo, client):
    """The password change page is ours, in the frame (Django admin's answered before, with
    "Django" in its title), its rules a list in Khmer with Khmer digits."""
    client.force_login(demo["drafter"])
    response = client.get(reverse("password_change"))
    names = [template.name for template in response.templates]
    assert names[0] == "registration/password_change_form.html"
    assert "admin/base.html" not in names
    body = response.content.decode()
    assert MENU in body
    assert "Django" not in body
    assert "<li>ពាក្យសម្ងាត់របស់លោកអ្នកត្រូវមានយ៉ាងហោចណាស់ ៨ តួអក្សរ។</li>" in body
    assert "&lt;ul&gt;" not in body  # not Django's HTML list given to viewflow's field as text
    assert "can’t" not in body and "can't" not in body


def test_the_password_changed_page_is_in_the_frame_too(demo, client):
    client.force_login(demo["drafter"])
    new = "Kx7!vq2#Lm-ស"
    response = client.post(
        reverse("password_change"),
        {"old_password": "demo", "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.templates[0].name == "registration/password_change_done.html"
    body = response.content.decode()
    assert MENU in body and "Django" not in body
    assert "ពាក្យសម្ងាត់" in body  # Django's "Your password was changed.", in Khmer
