"""The instrument pages: rendering, permissions, in-place editing, conflicts, query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow, Version
from organisations.models import Organisation, User

HTMX = {"HTTP_HX_REQUEST": "true"}
ZWSP = "\u200b"


def url(name, *args):
    return reverse(f"documents:{name}", args=args)


def plain(text: str) -> str:
    return text.replace(ZWSP, "")


@pytest.fixture
def instrument(demo):
    return services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ",
        title_en="Sub-decree on the transfer of functions",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


@pytest.fixture
def chapter(demo, instrument):
    return services.provision_add(
        instrument=instrument, user=demo["drafter"], kind="chapter", heading_km="បទប្បញ្ញត្តិទូទៅ"
    )


@pytest.fixture
def article(demo, instrument, chapter):
    return services.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind="article",
        parent=chapter,
        text_km="អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។",
        text_en="This sub-decree transfers functions.",
    )


@pytest.fixture
def row(demo, instrument):
    return services.schedule_row_add(
        instrument=instrument,
        user=demo["drafter"],
        function_km="គ្រប់គ្រងសាលាបឋមសិក្សា",
        from_ministry=Organisation.objects.get(code="moeys"),
        level="district",
        staff_count=12,
        budget_riel=1234567,
    )


@pytest.fixture
def drafter_client(client, demo):
    client.force_login(demo["drafter"])
    return client


def instrument_urls(instrument, provision, row, version):
    return [
        url("instrument", instrument.pk),
        url("provision_detail", instrument.pk, provision.pk),
        url("provision_edit", instrument.pk, provision.pk),
        url("provision_add", instrument.pk),
        url("schedule", instrument.pk),
        url("schedule_row", instrument.pk, row.pk),
        url("schedule_row_edit", instrument.pk, row.pk),
        url("versions", instrument.pk),
        url("compare", instrument.pk),
        url("timeline", instrument.pk),
    ]


# --- Pages render -----------------------------------------------------------------------


def test_every_page_renders_for_the_drafter(drafter_client, demo, instrument, article, row):
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    for page in [url("index"), url("create"), *instrument_urls(instrument, article, row, version)]:
        response = drafter_client.get(page)
        assert response.status_code == 200, page
    response = drafter_client.get(url("instrument", instrument.pk))
    body = plain(response.content.decode())
    assert "មាត្រា ១" in body
    assert "ជំពូកទី១" in body
    assert "lekhit-legal-text" in body
    assert 'hx-headers=\'{"X-CSRFToken"' in body


def test_the_list_shows_visible_instruments_and_the_new_button_to_drafters(
    client, demo, instrument
):
    client.force_login(demo["drafter"])
    body = plain(client.get(url("index")).content.decode())
    assert instrument.title_km in body
    assert url("create") in body

    client.force_login(demo["chief"])
    body = client.get(url("index")).content.decode()
    assert url("create") not in body.split("lekhit-documents", 1)[1]
    assert client.get(url("create")).status_code == 403


def test_a_drafter_creates_an_instrument(drafter_client, demo):
    response = drafter_client.post(
        url("create"),
        {
            "instrument_type": InstrumentType.objects.get(code="prakas").pk,
            "title_km": "ប្រកាសស្តីពីការរៀបចំ",
            "title_en": "",
            "owning_office": Organisation.objects.get(code="dfr-fr").pk,
            "sector": "អប់រំ",
        },
    )
    instrument = Instrument.objects.get(title_km="ប្រកាសស្តីពីការរៀបចំ")
    assert response.status_code == 302
    assert response["Location"] == url("instrument", instrument.pk)
    assert instrument.lead_drafter == demo["drafter"]


def test_the_create_form_offers_only_the_offices_of_the_department(drafter_client):
    form = drafter_client.get(url("create")).context["form"]
    codes = set(form.fields["owning_office"].queryset.values_list("code", flat=True))
    assert codes == {"dfr-admin", "dfr-fr", "dfr-ows", "dfr-mie"}


# --- Permissions ------------------------------------------------------------------------


def test_an_outside_reviewer_cannot_open_any_instrument_page(
    client, demo, instrument, article, row
):
    """The app refuses outsiders as a whole (403), the same for existing and unknown ids."""
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    client.force_login(demo["reviewer-mef"])
    for page in [url("index"), *instrument_urls(instrument, article, row, version)]:
        assert client.get(page).status_code in (403, 404), page
    assert (
        client.get(url("instrument", instrument.pk)).status_code
        == client.get(url("instrument", instrument.pk + 1000)).status_code
    )


def test_an_instrument_not_visible_to_the_user_is_a_404(
    drafter_client, demo, instrument, article, row, monkeypatch
):
    from documents import permissions

    monkeypatch.setattr(
        permissions.InstrumentPolicy, "view_objects", lambda self, user: Instrument.objects.none()
    )
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    for page in instrument_urls(instrument, article, row, version):
        assert drafter_client.get(page).status_code == 404, page
    assert drafter_client.get(url("instrument", 999999)).status_code == 404


def test_a_chief_reads_but_every_edit_is_forbidden(client, demo, instrument, chapter, article, row):
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    client.force_login(demo["chief"])
    body = client.get(url("instrument", instrument.pk)).content.decode()
    assert "lekhit-provision-actions" not in body

    text = {"text_km": "ផ្លាស់ប្ដូរ", "lock_version": article.lock_version}
    posts = [
        (url("provision_edit", instrument.pk, article.pk), text),
        (url("provision_add", instrument.pk), {"kind": "chapter", "heading_km": "ថ្មី"}),
        (url("provision_move", instrument.pk, article.pk), {"direction": "up"}),
        (url("provision_move", instrument.pk, article.pk), {"parent": 0}),
        (url("provision_delete", instrument.pk, article.pk), {}),
        (url("schedule_row_add", instrument.pk), {"function_km": "x"}),
        (url("schedule_row_edit", instrument.pk, row.pk), {"function_km": "x"}),
        (url("schedule_row_delete", instrument.pk, row.pk), {}),
        (url("version_save", instrument.pk), {"label": "mine"}),
        (url("version_restore", instrument.pk, version.pk), {}),
    ]
    for target, data in posts:
        assert client.post(target, data, **HTMX).status_code == 403, target
        assert client.post(target, data).status_code == 403, target
    for target in (
        url("provision_edit", instrument.pk, article.pk),
        url("provision_add", instrument.pk),
        url("schedule_row_edit", instrument.pk, row.pk),
    ):
        assert client.get(target, **HTMX).status_code == 403, target
    assert Provision.objects.filter(instrument=instrument).count() == 2
    assert Version.objects.filter(instrument=instrument).count() == 1


def test_nothing_can_be_changed_once_the_text_is_under_review(drafter_client, instrument, article):
    Instrument.objects.filter(pk=instrument.pk).update(status=Instrument.Status.INTERNAL_REVIEW)
    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": "ថ្មី", "lock_version": article.lock_version},
        **HTMX,
    )
    assert response.status_code == 403
    assert (
        "lekhit-provision-actions"
        not in drafter_client.get(url("instrument", instrument.pk)).content.decode()
    )


def test_requests_need_csrf(demo, instrument, article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["drafter"])
    response = client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": "ថ្មី", "lock_version": article.lock_version},
        **HTMX,
    )
    assert response.status_code == 403


def test_writes_need_post(drafter_client, instrument, article):
    assert drafter_client.get(url("provision_delete", instrument.pk, article.pk)).status_code == 405
    assert drafter_client.get(url("provision_move", instrument.pk, article.pk)).status_code == 405
    assert drafter_client.get(url("version_save", instrument.pk)).status_code == 405


# --- Editing in place -------------------------------------------------------------------


def test_htmx_edit_returns_a_form_fragment_then_the_saved_provision(
    drafter_client, instrument, article
):
    response = drafter_client.get(url("provision_edit", instrument.pk, article.pk), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="provision-{article.pk}"' in body
    assert 'name="lock_version"' in body and 'type="hidden"' in body
    assert "អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។" in body

    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {
            "heading_km": "",
            "heading_en": "",
            "text_km": "អនុក្រឹត្យនេះកំណត់ការផ្ទេរមុខងារ។",
            "text_en": "This sub-decree sets the transfer.",
            "lock_version": article.lock_version,
        },
        **HTMX,
    )
    body = plain(response.content.decode())
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert "អនុក្រឹត្យនេះកំណត់ការផ្ទេរមុខងារ។" in body
    assert "មាត្រា ១" in body
    article.refresh_from_db()
    assert article.text_km == "អនុក្រឹត្យនេះកំណត់ការផ្ទេរមុខងារ។"
    assert article.lock_version == 1


def test_a_chapter_is_edited_without_text_fields(drafter_client, instrument, chapter):
    body = drafter_client.get(url("provision_edit", instrument.pk, chapter.pk), **HTMX)
    assert 'name="heading_km"' in body.content.decode()
    assert 'name="text_km"' not in body.content.decode()


def test_validation_messages(drafter_client, instrument, chapter, article, demo):
    from organisations.services import user_set_language

    user_set_language(user=demo["drafter"], language="en")
    response = drafter_client.post(
        url("provision_edit", instrument.pk, chapter.pk),
        {"heading_km": "  ", "lock_version": chapter.lock_version},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["heading_km"] == ["Write the heading in Khmer."]

    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": "ក" * 20001, "lock_version": article.lock_version},
        **HTMX,
    )
    assert "at most 20000 characters" in response.context["form"].errors["text_km"][0]
    response = drafter_client.post(
        url("provision_edit", instrument.pk, chapter.pk),
        {"heading_km": "ក" * 501, "lock_version": chapter.lock_version},
        **HTMX,
    )
    assert "at most 500 characters" in response.context["form"].errors["heading_km"][0]
    article.refresh_from_db()
    assert article.lock_version == 0


def test_validation_messages_are_translated_to_khmer(drafter_client, instrument, chapter):
    """Khmer is the default language: the message is wrapped for translation and looked up."""
    from django.utils import translation

    with translation.override("km"):
        response = drafter_client.post(
            url("provision_edit", instrument.pk, chapter.pk),
            {"heading_km": "", "lock_version": chapter.lock_version},
            HTTP_ACCEPT_LANGUAGE="km",
            **HTMX,
        )
        assert response.status_code == 200
        assert response.context["form"].errors["heading_km"] == ["សូមសរសេរចំណងជើងជាភាសាខ្មែរ។"]


def test_an_edit_conflict_keeps_both_texts(drafter_client, demo, instrument, article):
    # Someone else saves first.
    services.provision_update(
        provision=article,
        user=demo["drafter"],
        expected_lock_version=0,
        text_km="អត្ថបទរបស់អ្នកផ្សេង។",
    )
    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {
            "text_km": "អត្ថបទរបស់ខ្ញុំ។",
            "text_en": "",
            "heading_km": "",
            "heading_en": "",
            "lock_version": 0,
        },
        **HTMX,
    )
    body = plain(response.content.decode())
    assert response.status_code == 200
    assert "lekhit-conflict" in body
    assert "អត្ថបទរបស់ខ្ញុំ។" in body  # theirs…
    assert "អត្ថបទរបស់អ្នកផ្សេង។" in body  # …and mine
    assert "Someone else saved this" in body or "lekhit-conflict-message" in body
    assert 'name="lock_version" value="1"' in body
    article.refresh_from_db()
    assert article.text_km == "អត្ថបទរបស់អ្នកផ្សេង។"

    # Saving again, with the merged text, goes through.
    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": "អត្ថបទរួម។", "lock_version": 1},
        **HTMX,
    )
    assert "lekhit-conflict" not in response.content.decode()
    article.refresh_from_db()
    assert article.text_km == "អត្ថបទរួម។"


def test_script_tags_are_kept_as_typed_and_never_rendered(drafter_client, instrument, article):
    drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {
            "text_km": "មាត្រា<script>alert(1)</script> នេះ",
            "text_en": "<img src=x onerror=alert(1)>Article",
            "lock_version": 0,
        },
        **HTMX,
    )
    article.refresh_from_db()
    assert article.text_km == "មាត្រា<script>alert(1)</script> នេះ"
    assert article.text_en == "<img src=x onerror=alert(1)>Article"
    body = drafter_client.get(url("instrument", instrument.pk)).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;Article" in body

    # Only white space counts as empty.
    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": "  ", "lock_version": 1},
        **HTMX,
    )
    assert response.context["form"].errors


def test_add_move_and_delete_return_the_renumbered_outline(
    drafter_client, instrument, chapter, article
):
    response = drafter_client.get(url("provision_add", instrument.pk) + f"?parent={chapter.pk}")
    assert response.status_code == 200
    kinds = [value for value, _ in response.context["form"].fields["kind"].choices]
    assert "article" in kinds and "chapter" not in kinds

    response = drafter_client.post(
        url("provision_add", instrument.pk),
        {"parent": chapter.pk, "after": article.pk, "kind": "article", "text_km": "មាត្រាទីពីរ។"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#lekhit-outline"
    second = Provision.objects.get(text_km="មាត្រាទីពីរ។")
    assert second.parent == chapter and second.position == 2

    response = drafter_client.post(
        url("provision_move", instrument.pk, second.pk), {"direction": "up"}, **HTMX
    )
    body = plain(response.content.decode())
    assert body.index("មាត្រាទីពីរ។") < body.index("អនុក្រឹត្យនេះមានគោលបំណង")
    second.refresh_from_db()
    assert second.position == 1

    # Into another chapter: the move form offers the chapters, not the article itself.
    other = drafter_client.post(
        url("provision_add", instrument.pk),
        {"kind": "chapter", "heading_km": "ជំពូកថ្មី"},
        **HTMX,
    )
    assert other.status_code == 200
    new_chapter = Provision.objects.get(heading_km="ជំពូកថ្មី")
    form = drafter_client.get(url("provision_edit", instrument.pk, second.pk), **HTMX)
    choices = [value for value, _ in form.context["move_form"].fields["parent"].choices]
    assert new_chapter.pk in choices and second.pk not in choices
    drafter_client.post(
        url("provision_move", instrument.pk, second.pk), {"parent": new_chapter.pk}, **HTMX
    )
    second.refresh_from_db()
    assert second.parent == new_chapter

    response = drafter_client.post(url("provision_delete", instrument.pk, second.pk), **HTMX)
    assert response.status_code == 200
    assert not Provision.objects.filter(pk=second.pk).exists()


def test_a_malformed_place_is_a_404(drafter_client, instrument):
    response = drafter_client.get(url("provision_add", instrument.pk), {"parent": "x"}, **HTMX)
    assert response.status_code == 404


def test_adding_needs_khmer_text(drafter_client, instrument):
    response = drafter_client.post(
        url("provision_add", instrument.pk), {"kind": "article", "text_en": "Only English"}, **HTMX
    )
    assert response.status_code == 200
    assert response.context["form"].errors["text_km"]
    assert not Provision.objects.filter(instrument=instrument).exists()


def test_a_provision_of_another_instrument_is_a_404(drafter_client, demo, instrument, article):
    other = services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាសផ្សេង",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    response = drafter_client.get(url("provision_edit", other.pk, article.pk), **HTMX)
    assert response.status_code == 404


# --- Transfer schedule ------------------------------------------------------------------


def test_a_schedule_row_takes_khmer_digits_and_a_day_first_date(drafter_client, instrument):
    """'១២' typed on a Khmer keyboard was dropped by <input type=number>: it is now read."""
    form = drafter_client.get(url("schedule_row_add", instrument.pk), **HTMX).content.decode()
    assert 'type="number"' not in form and 'type="date"' not in form
    assert 'inputmode="numeric"' in form and 'placeholder="ថ្ងៃ/ខែ/ឆ្នាំ"' in form
    data = {
        "function_km": "គ្រប់គ្រងសាលាបឋមសិក្សា",
        "from_ministry": Organisation.objects.get(code="moh").pk,
        "level": "district",
        "staff_count": "១២",
        "budget_riel": "២.៥០០.០០០",
        "effective_date": "០១/០៧/២០២៧",
    }
    response = drafter_client.post(url("schedule_row_add", instrument.pk), data, **HTMX)
    assert response.status_code == 200
    stored = ScheduleRow.objects.get(instrument=instrument, function_km="គ្រប់គ្រងសាលាបឋមសិក្សា")
    assert (stored.staff_count, stored.budget_riel) == (12, 2_500_000)
    assert stored.effective_date.isoformat() == "2027-07-01"

    # What cannot be read is said beside the field, in the reader's language, and kept.
    response = drafter_client.post(
        url("schedule_row_add", instrument.pk), {**data, "budget_riel": "១២x"}, **HTMX
    )
    body = response.content.decode()
    assert "សូមវាយចំនួនគត់" in body and 'value="១២x"' in body


def test_schedule_rows_are_added_edited_and_deleted(drafter_client, instrument, row):
    body = drafter_client.get(url("schedule", instrument.pk)).content.decode()
    assert "១.២៣៤.៥៦៧" in body or "1,234,567" in body

    data = {
        "function_km": "គ្រប់គ្រងមណ្ឌលសុខភាព",
        "from_ministry": Organisation.objects.get(code="moh").pk,
        "level": "district",
        "staff_count": 3,
        "budget_riel": 500,
        "effective_date": "2026-01-01",
    }
    response = drafter_client.post(url("schedule_row_add", instrument.pk), data, **HTMX)
    assert response.status_code == 200
    assert ScheduleRow.objects.filter(instrument=instrument).count() == 2

    form = drafter_client.get(url("schedule_row_edit", instrument.pk, row.pk), **HTMX)
    assert 'name="lock_version"' in form.content.decode()
    response = drafter_client.post(
        url("schedule_row_edit", instrument.pk, row.pk), {**data, "lock_version": 0}, **HTMX
    )
    assert response.status_code == 200
    assert "<form" not in response.content.decode()
    row.refresh_from_db()
    assert row.function_km == "គ្រប់គ្រងមណ្ឌលសុខភាព" and row.lock_version == 1

    # A stale edit conflicts and shows the saved row beside the form.
    response = drafter_client.post(
        url("schedule_row_edit", instrument.pk, row.pk),
        {**data, "function_km": "ផ្សេង", "lock_version": 0},
        **HTMX,
    )
    body = plain(response.content.decode())
    assert "lekhit-conflict" in body and "ផ្សេង" in body and "គ្រប់គ្រងមណ្ឌលសុខភាព" in body

    response = drafter_client.post(url("schedule_row_delete", instrument.pk, row.pk), **HTMX)
    assert response.status_code == 200
    assert not ScheduleRow.objects.filter(pk=row.pk).exists()


# --- Versions, compare, timeline --------------------------------------------------------


def test_save_a_version_then_restore_it(drafter_client, demo, instrument, article):
    response = drafter_client.post(url("version_save", instrument.pk), {"label": "ព្រាងទី១"})
    assert response.status_code == 302
    version = Version.objects.get(instrument=instrument)
    body = drafter_client.get(url("versions", instrument.pk)).content.decode()
    assert version.sha256[:12] in body
    assert "ព្រាងទី១" in body

    services.provision_delete(provision=article, user=demo["drafter"])
    response = drafter_client.post(url("version_restore", instrument.pk, version.pk))
    assert response.status_code == 302
    assert Provision.objects.filter(uid=article.uid).exists()
    assert Version.objects.filter(instrument=instrument).count() == 2


def test_a_version_needs_a_name(drafter_client, instrument):
    response = drafter_client.post(url("version_save", instrument.pk), {"label": "   "})
    assert response.status_code == 422
    assert response.context["form"].errors["label"]


def test_compare_marks_changes_word_by_word(drafter_client, demo, instrument, chapter, article):
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    services.provision_update(
        provision=article,
        user=demo["drafter"],
        expected_lock_version=0,
        text_km="អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរអំណាច។",
    )
    services.provision_add(
        instrument=instrument, user=demo["drafter"], kind="article", text_km="មាត្រាថ្មី។"
    )
    response = drafter_client.get(url("compare", instrument.pk), {"a": version.pk, "b": "draft"})
    assert response.status_code == 200
    body = plain(response.content.decode())
    assert re.search("<del>[^<]*មុខងារ</del>", body)
    assert re.search("<ins>[^<]*អំណាច</ins>", body)
    assert "អនុក្រឹត្យនេះមានគោលបំណង<del>" in body  # the unchanged words stay outside
    assert "lekhit-badge--added" in body and "lekhit-badge--changed" in body
    summary = response.context["summary"]
    assert (summary.added, summary.changed) == (1, 1)

    # Default: the latest version against the draft.
    assert drafter_client.get(url("compare", instrument.pk)).context["summary"] == summary
    assert drafter_client.get(url("compare", instrument.pk), {"a": "x"}).status_code == 404
    assert drafter_client.get(url("compare", instrument.pk), {"a": 999999}).status_code == 404


def _compare_body(client, instrument, version, language):
    """The compare page as the drafter reads it in ``language`` (their own choice)."""
    User.objects.filter(username="drafter").update(language=language)
    response = client.get(url("compare", instrument.pk), {"a": version.pk, "b": "draft"})
    assert response.status_code == 200
    return plain(response.content.decode())


def _texts_of_changed_rows(body: str) -> list[str]:
    """The Khmer text of each side of each changed provision, in page order (old, new)."""
    texts = []
    for row in body.split('<div class="lekhit-compare-row ')[1:]:
        if row.startswith("lekhit-compare-row--changed"):
            texts += re.findall(
                '<div class="lekhit-text lekhit-legal-text" lang="km">(.*?)</div>', row
            )
    return texts


def test_compare_escapes_markup_typed_in_the_text_and_marks_only_the_changed_words(
    drafter_client, demo, instrument, chapter
):
    typed = services.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind="article",
        parent=chapter,
        text_km='មាត្រា <b>ដិត</b> & x<y "ក"',
    )
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    services.provision_update(
        provision=typed,
        user=demo["drafter"],
        expected_lock_version=typed.lock_version,
        text_km='មាត្រា <b>ក្រាស់</b> & x<y "ក"',
    )
    shown = "មាត្រា &lt;b&gt;{}&lt;/b&gt; &amp; x&lt;y &quot;ក&quot;"
    for language in ("km", "en"):
        body = _compare_body(drafter_client, instrument, version, language)
        assert "<b>" not in body and "<y" not in body
        old, new = _texts_of_changed_rows(body)
        assert re.fullmatch(shown.format("<del>[^<]*ដិត[^<]*</del>"), old), old
        assert re.fullmatch(shown.format("<ins>[^<]*ក្រាស់[^<]*</ins>"), new), new
    # The marked words keep their line-break opportunities (U+200B between Khmer words).
    raw = drafter_client.get(url("compare", instrument.pk), {"a": version.pk}).content.decode()
    assert ZWSP in raw[raw.index("<ins>") : raw.index("</ins>")] or "<ins>ក្រាស់</ins>" in raw


def test_compare_shows_the_schedule_s_values_and_the_title_in_the_page_s_language(
    drafter_client, demo, instrument, row
):
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    row.refresh_from_db()
    services.schedule_row_update(
        row=row,
        user=demo["drafter"],
        expected_lock_version=row.lock_version,
        function_km=row.function_km,
        function_en="",
        from_ministry=Organisation.objects.get(code="moh"),
        level="province",
        legal_basis="",
        staff_count=0,
        budget_riel=1234567,
        assets="",
        effective_date=None,
    )
    instrument.refresh_from_db()
    services.instrument_update(
        instrument=instrument,
        user=demo["drafter"],
        expected_lock_version=instrument.lock_version,
        title_en="Sub-decree <i>on</i> the transfer of functions",
    )
    body = _compare_body(drafter_client, instrument, version, "km")
    assert '<td class="lekhit-col-from_ministry"><del>ក្រសួងអប់រំ យុវជន និងកីឡា</del></td>' in body
    assert '<td class="lekhit-col-from_ministry"><ins>ក្រសួងសុខាភិបាល</ins></td>' in body
    assert '<td class="lekhit-col-staff_count"><del>១២</del></td>' in body
    assert '<td class="lekhit-col-staff_count"></td>' in body  # changed to nothing
    assert '<td class="lekhit-col-budget_riel">១.២៣៤.៥៦៧</td>' in body  # unchanged
    title = re.search(
        '<h2>[^<]*</h2>\\s*<div class="lekhit-compare">(.*?)</div>\\s*</div>', body, re.S
    )
    assert re.search("<ins>[^<]*&lt;i&gt;[^<]*</ins>", title.group(1)), title.group(1)
    body = _compare_body(drafter_client, instrument, version, "en")
    assert '<td class="lekhit-col-from_ministry"><ins>Ministry of Health</ins></td>' in body
    assert '<td class="lekhit-col-budget_riel">1,234,567</td>' in body


def test_timeline_links_each_version_to_the_previous_one(drafter_client, demo, instrument, article):
    first = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    second = services.version_create(instrument=instrument, user=demo["drafter"], label="v2")
    body = drafter_client.get(url("timeline", instrument.pk)).content.decode()
    assert f"?a={first.pk}&amp;b={second.pk}" in body
    assert f"?a={second.pk}&amp;b=draft" in body


# --- Constant queries -------------------------------------------------------------------


def _instrument_with_articles(demo, count):
    instrument = services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=f"អនុក្រឹត្យ {count}",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter = Provision.objects.create(
        instrument=instrument, kind="chapter", position=1, heading_km="ជំពូក"
    )
    Provision.objects.bulk_create(
        Provision(
            instrument=instrument,
            parent=chapter,
            kind="article",
            position=index,
            text_km=f"មាត្រាទី{index} ស្តីពីការផ្ទេរមុខងារ។",
        )
        for index in range(1, count + 1)
    )
    services.schedule_row_add(
        instrument=instrument,
        user=demo["drafter"],
        function_km="មុខងារ",
        from_ministry=Organisation.objects.get(code="moh"),
        level="province",
    )
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    Provision.objects.filter(instrument=instrument, kind="article").update(
        text_km="មាត្រា ស្តីពីការផ្ទេរអំណាច។"
    )
    return instrument, version


def _count_queries(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def test_editor_and_compare_cost_the_same_queries_for_10_and_100_articles(drafter_client, demo):
    small, small_version = _instrument_with_articles(demo, 10)
    large, large_version = _instrument_with_articles(demo, 100)
    # The first page after signing in also writes the session: no page's own cost.
    drafter_client.get(url("instrument", small.pk))
    for name, params in (
        ("instrument", None),
        ("compare", "version"),
        ("schedule", None),
        ("versions", None),
        ("timeline", None),
        ("details", None),
    ):
        counts = []
        for instrument, version in ((small, small_version), (large, large_version)):
            query = {"a": version.pk, "b": "draft"} if params else None
            counts.append(_count_queries(drafter_client, url(name, instrument.pk), query))
        assert counts[0] == counts[1], (name, counts)
    for name in ("provision_edit", "provision_detail"):
        counts = [
            _count_queries(
                drafter_client,
                url(name, instrument.pk, Provision.objects.filter(instrument=instrument).last().pk),
            )
            for instrument in (small, large)
        ]
        assert counts[0] == counts[1], (name, counts)
    compare = drafter_client.get(url("compare", large.pk), {"a": large_version.pk, "b": "draft"})
    assert compare.context["summary"].changed == 100
    assert len(re.findall("<ins>", compare.content.decode())) >= 100


def test_the_list_costs_the_same_queries_for_2_and_20_instruments(
    drafter_client, demo, django_assert_num_queries
):
    for _n in range(2):
        _instrument_with_articles(demo, 1)
    drafter_client.get(url("index"))  # the first page after signing in writes the session
    small = _count_queries(drafter_client, url("index"))
    for _n in range(18):
        _instrument_with_articles(demo, 1)
    with django_assert_num_queries(small):
        body = drafter_client.get(url("index")).content.decode()
    assert body.count('class="lekhit-legal-text" lang="km" href=') == 20


def test_the_timeline_costs_the_same_queries_for_2_and_12_saves_and_versions(
    drafter_client, demo, instrument, django_assert_num_queries
):
    other = services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យផ្សេង",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    for subject, saves in ((instrument, 2), (other, 12)):
        for n in range(saves):
            services.provision_add(
                instrument=subject, user=demo["drafter"], kind="chapter", heading_km=f"ជំពូក{n}"
            )
            services.version_create(instrument=subject, user=demo["drafter"], label=f"v{n}")
    drafter_client.get(url("timeline", instrument.pk))  # the first page writes the session
    small = _count_queries(drafter_client, url("timeline", instrument.pk))
    with django_assert_num_queries(small):
        response = drafter_client.get(url("timeline", other.pk))
    entries = response.context["entries"]
    assert sum(1 for entry, _previous in entries if entry.version) == 12
    assert [previous is not None for entry, previous in entries if entry.version][-1] is False


def test_the_editor_writes_the_action_buttons_once_not_per_provision(
    drafter_client, instrument, chapter, article
):
    """Each provision's six buttons were two thirds of a 300-article editor (1.9 MB): the
    page carries them once, in a template the editor's script copies into each provision
    (the browser tests click them)."""
    body = drafter_client.get(url("instrument", instrument.pk)).content.decode()
    assert body.count('id="lekhit-provision-actions"') == 1
    assert body.count('lekhit-edit"') == 1  # in the template only
    for provision in (chapter, article):
        assert f'data-pk="{provision.pk}"' in body
        assert f'id="lekhit-add-{provision.pk}"' in body
    assert 'data-pk="' in body and "data-container" in body  # the chapter may hold articles
