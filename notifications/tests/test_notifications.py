"""The bell, the list, mark read; rendering and delivery in the recipient's language."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from notifications import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _notify(user, title="សារ", url="/process/instruments/1/", key=None):
    notification, _created = services.notification_create(
        recipient=user,
        kind="due",
        message=services.Message(title=title, body="..."),
        url=url,
        key=key,
    )
    return notification


def test_the_bell_shows_the_unread_count(demo, client):
    drafter = demo["drafter"]
    for _ in range(3):
        _notify(drafter)
    _notify(demo["chief"])
    client.force_login(drafter)
    page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-unread="3"' in page and "៣" in page  # Khmer digits for a Khmer reader


def test_the_bell_counts_to_a_hundred_and_says_more(demo, client):
    """Years of unread notifications cost the bell no more than a hundred: from there it
    says "99+" (in Khmer digits), and the list still offers to mark them all read."""
    from notifications.selectors import UNREAD_COUNTED_MOST

    drafter = demo["drafter"]
    first = _notify(drafter)
    Notification.objects.bulk_create(
        Notification(recipient=drafter, kind=first.kind, title="សារ", url=first.url)
        for _ in range(UNREAD_COUNTED_MOST - 2)
    )
    client.force_login(drafter)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'data-unread="{UNREAD_COUNTED_MOST - 1}"' in page and ">៩៩</span>" in page
    _notify(drafter, key="one more")
    page = client.get(reverse("notifications:list")).content.decode()
    assert ">៩៩+</span>" in page and "ច្រើនជាង ៩៩" in page
    assert reverse("notifications:read_all") in page


def test_the_list_counts_the_unread_once_for_itself_and_the_bell(demo, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    drafter = demo["drafter"]
    for _ in range(2):
        _notify(drafter)
    client.force_login(drafter)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("notifications:list")).content.decode()
    counts = [
        sql
        for sql in (q["sql"] for q in captured.captured_queries)
        if "COUNT(" in sql and '"notifications_notification"."read_at" IS NULL' in sql
    ]
    assert len(counts) == 1
    # the bell's count, and the page's "Mark all as read", both from that one count
    assert 'data-unread="2"' in page and reverse("notifications:read_all") in page


def test_mark_one_read_then_all(demo, client):
    drafter = demo["drafter"]
    first, second, _third = (_notify(drafter) for _ in range(3))
    client.force_login(drafter)
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=drafter, read_at__isnull=True).count() == 2
    response = client.post(reverse("notifications:read", args=[second.pk]), {"open": "1"})
    assert response.headers["Location"] == second.url
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=drafter, read_at__isnull=True).exists()
    assert "data-unread" not in client.get(reverse("notifications:list")).content.decode()


def test_nobody_reads_anothers_notification(demo, client):
    theirs = _notify(demo["chief"])
    client.force_login(demo["drafter"])
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:read", args=[theirs.pk])).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_external_link_is_never_followed(demo, client):
    notification = _notify(demo["drafter"], url="https://evil.example/")
    client.force_login(demo["drafter"])
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response.headers["Location"] == reverse("notifications:list")


def test_the_list_needs_a_login(client, db):
    assert client.get(reverse("notifications:list")).status_code == 302


def test_the_same_key_is_stored_once(demo):
    message = services.Message(title="Due", body="text")
    first, created = services.notification_create(
        recipient=demo["drafter"], kind="due", message=message, key="reminder:1"
    )
    again, created_again = services.notification_create(
        recipient=demo["drafter"], kind="due", message=message, key="reminder:1"
    )
    assert (created, created_again) == (True, False) and again == first
    assert Notification.objects.count() == 1


def test_the_mail_carries_a_message_id_of_its_key(demo, mailoutbox):
    message = services.Message(title="Due", body="text")
    services.notification_announce(
        recipient=demo["drafter"], kind="due", message=message, key="reminder:1"
    )
    services.email_send(recipient=demo["drafter"], message=message, key="reminder:1")
    # A retry after a crash between the send and the commit: the same Message-ID, which
    # mail servers and clients collapse into one message.
    assert len(mailoutbox) == 2
    assert mailoutbox[0].extra_headers["Message-ID"] == mailoutbox[1].extra_headers["Message-ID"]


def test_a_message_is_written_in_the_recipients_language(demo):
    from documents.models import Instrument

    context = {
        "instrument": Instrument(title_km="អនុក្រឹត្យ", title_en="Sub-decree"),
        "step": "Legal review",
        "due_on": date(2026, 11, 25),
        "days": 2,
    }
    with translation.override("en"):  # the reader's language, not the sender's
        khmer = services.message_render(template="before", context=context, language="km")
    english = services.message_render(template="before", context=context, language="en")
    assert "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦" in khmer.title
    assert "នៅសល់ ២ ថ្ងៃធ្វើការ" in khmer.body and "អនុក្រឹត្យ" in khmer.body
    assert english.title == 'Reminder: "Legal review" is due on 25 November 2026'
    assert "Sub-decree" in english.body


def test_no_address_means_in_app_only(demo, mailoutbox):
    drafter = demo["drafter"]
    drafter.email = ""
    drafter.save()
    services.notification_announce(
        recipient=drafter, kind="due", message=services.Message(title="t", body="b"), key="k"
    )
    assert mailoutbox == [] and Notification.objects.count() == 1


def test_text_is_not_html_escaped_in_mail(demo, mailoutbox):
    from documents.models import Instrument

    message = services.message_render(
        template="due",
        context={
            "instrument": Instrument(title_km="ក & ខ", title_en="A & B"),
            "step": "x",
            "due_on": date(2026, 11, 25),
        },
        language="en",
    )
    services.notification_announce(
        recipient=demo["drafter"], kind="due", message=message, key="due:1"
    )
    assert "A & B" in mailoutbox[0].body


@pytest.mark.postgres
def test_a_heavy_recipient_s_first_page_is_read_from_the_index_not_sorted(demo):
    """The list's ORDER BY (newest first, the pk breaking ties) is the index's: the first
    page reads its 25 entries instead of sorting every notification the person ever had."""
    from django.db import connection

    drafter = demo["drafter"]
    Notification.objects.bulk_create(
        Notification(recipient=drafter, kind="due", title=f"t{n}", body="b") for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification")
    sql, params = (
        Notification.objects.filter(recipient=drafter)
        .order_by("-created_at", "-pk")[:25]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_list_order" in plan and "Sort" not in plan, plan
