"""The search page and the API's search: what each person gets, escaped, in their language,
at a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services as documents
from documents.models import Provision
from khmer.formats import khmer_digits

pytestmark = pytest.mark.django_db


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("search:search"), params)


def test_the_drafter_finds_the_draft_with_its_article_number(client, demo, corpus):
    instrument, _provisions = corpus
    response = _page(client, demo["drafter"], q="ត្រួតពិនិត្យ")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>ត្រួតពិនិត្យ</mark>" in html
    assert "មាត្រា ១" in html
    assert reverse("documents:instrument", args=[instrument.pk]) in html
    # the box in the top bar keeps the query
    assert 'id="lekhit-search-box" name="q" value="ត្រួតពិនិត្យ"' in html


def test_the_reviewer_gets_the_version_sent_and_its_process_page(client, demo, sent):
    instrument, _provisions, version, _comment = sent
    html = _page(client, demo["reviewer-mef"], q="ត្រួតពិនិត្យ").content.decode()
    assert "<mark>ត្រួតពិនិត្យ</mark>" in html
    assert reverse("workflows:instrument_process", args=[instrument.pk]) in html
    assert reverse("documents:instrument", args=[instrument.pk]) not in html
    assert html.count('class="lekhit-search-hit"') == 1  # the version's, not the draft's


def test_the_status_filter_is_offered_to_the_department_only(client, demo, sent):
    # an instrument's status is the department's: a reviewer is not offered to filter on it
    drafter = _page(client, demo["drafter"], q="ត្រួតពិនិត្យ").content.decode()
    reviewer = _page(client, demo["reviewer-mef"], q="ត្រួតពិនិត្យ").content.decode()
    assert 'name="status"' in drafter
    assert 'name="status"' not in reviewer
    # and a status in the URL is no filter for them: they still find the version sent
    sent_status = _page(client, demo["reviewer-mef"], q="ត្រួតពិនិត្យ", status="consultation")
    assert sent_status.content.decode().count('class="lekhit-search-hit"') == 1


def test_a_refused_filter_is_named_and_the_query_kept(client, demo, corpus):
    html = _page(client, demo["drafter"], q="ត្រួតពិនិត្យ", year="៣០០០").content.decode()
    # The query stays in the page's box, the year as typed; the error names its field, in
    # Khmer digits; and nothing is searched, so "nothing found" is not said either.
    assert 'name="q" id="id_q" value="ត្រួតពិនិត្យ"' in html
    assert 'value="៣០០០"' in html
    assert "<li>ឆ្នាំ៖ សូមប្រាកដថាតម្លៃនេះតូចជាង ឬស្មើ ២២០០។</li>" in html
    assert 'class="lekhit-search-hit"' not in html and "lekhit-search-none" not in html
    demo["drafter"].language = "en"
    demo["drafter"].save(update_fields=["language"])
    html = _page(client, demo["drafter"], q="ត្រួតពិនិត្យ", year="3000").content.decode()
    assert "<li>Year: Ensure this value is less than or equal to 2200.</li>" in html


def test_a_ministry_not_consulted_finds_nothing(client, demo, sent):
    html = _page(client, demo["reviewer-moh"], q="ត្រួតពិនិត្យ", inside_words="on").content.decode()
    assert "ត្រួតពិនិត្យ</mark>" not in html
    assert "lekhit-search-none" in html


def test_the_switch_adds_words_inside_longer_words(client, demo, corpus):
    html = _page(client, demo["drafter"], q="ពិនិត្យ").content.decode()
    assert html.count('class="lekhit-search-hit"') == 1
    html = _page(client, demo["drafter"], q="ពិនិត្យ", inside_words="on").content.decode()
    assert html.count('class="lekhit-search-hit"') == 1
    assert html.count("lekhit-search-hit--inside") == 1


def test_the_query_is_escaped(client, demo, corpus):
    html = _page(client, demo["drafter"], q="<script>x</script>").content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_page_is_in_english_too(client, demo, corpus):
    user = demo["drafter"]
    user.language = "en"
    user.save()
    html = _page(client, user, q="ត្រួតពិនិត្យ").content.decode()
    assert "Article 1" in html
    assert "Working draft" in html


def test_signed_out_visitors_are_sent_to_sign_in(client, corpus):
    response = client.get(reverse("search:search"), {"q": "ពិនិត្យ"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _articles(demo, instrument, count):
    for _ in range(count):
        documents.provision_add(
            instrument=instrument,
            user=demo["drafter"],
            kind=Provision.Kind.ARTICLE,
            text_km="ពិនិត្យ និងផ្តល់យោបល់",
        )


def test_the_page_costs_the_same_queries_for_10_or_100_results(client, demo, corpus):
    instrument, _provisions = corpus
    client.force_login(demo["drafter"])
    url = reverse("search:search")
    client.get(url, {"q": "ពិនិត្យ"})
    _articles(demo, instrument, 9)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"q": "ពិនិត្យ"}).content.decode().count("<mark>") == 10
    _articles(demo, instrument, 90)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"q": "ពិនិត្យ"}).content.decode().count("<mark>") == 20
    assert len(few) == len(many)


# --- The API ------------------------------------------------------------------------------


def _api(demo, username, **params):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _created = Token.objects.get_or_create(user=demo[username])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client.get("/api/v1/search/", params)


def test_the_api_gives_each_hit_its_instrument_and_provision(demo, corpus):
    instrument, provisions = corpus
    response = _api(demo, "drafter", q="ត្រួតពិនិត្យ")
    assert response.status_code == 200
    [hit] = response.json()["results"]
    assert hit["instrument"] == instrument.pk
    assert hit["provision_uid"] == str(provisions["monitor"].uid)
    assert hit["label"] == "មាត្រា ១"
    assert "<mark>ត្រួតពិនិត្យ</mark>" in hit["snippet"]
    assert hit["version"] is None
    assert hit["whole_words"] is True


def test_the_api_gives_a_reviewer_the_version_sent_only(demo, sent):
    instrument, provisions, version, _comment = sent
    hits = _api(demo, "reviewer-mef", q="ត្រួតពិនិត្យ").json()["results"]
    assert [(h["kind"], h["version"]) for h in hits] == [("provision", version.pk)]
    assert _api(demo, "reviewer-moh", q="ត្រួតពិនិត្យ", inside="true").json()["results"] == []
    # the status is the department's: a reviewer's filter on it finds nothing
    assert _api(demo, "reviewer-mef", q="ត្រួតពិនិត្យ", status="consultation").json()["results"] == []


def test_the_api_says_what_is_wrong_with_each_parameter_in_the_callers_language(demo, corpus):
    instrument, _provisions = corpus
    response = _api(
        demo,
        "drafter",
        q="ពិនិត្យ",
        type="no-such-type",
        organisation="nowhere",
        year="26",
        kind="everything",
        inside="maybe",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"type", "organisation", "year", "kind", "inside"}
    assert body["errors"]["year"] == ["សូមផ្ដល់ឆ្នាំជាលេខ ៤ ខ្ទង់ ឧទាហរណ៍ ២០២៦។"]
    assert body["errors"]["type"] == ["គ្មានប្រភេទលិខិតបទដ្ឋានគតិយុត្តណាមួយមានលេខកូដនេះទេ។"]
    too_long = _api(demo, "drafter", q="ក" * 201).json()
    assert too_long["errors"]["q"] == ["ការស្វែងរកអានបានយ៉ាងច្រើន ២០០ តួអក្សរ។"]
    demo["drafter"].language = "en"
    demo["drafter"].save(update_fields=["language"])
    body = _api(demo, "drafter", q="ពិនិត្យ", organisation="nowhere", status="pending").json()
    assert body["errors"] == {
        "organisation": ["No organisation has this code."],
        "status": ["No instrument has this status."],
    }
    # What is valid still finds: codes, a year in Khmer digits, the booleans.
    found = _api(
        demo,
        "drafter",
        q="ពិនិត្យ",
        type="sub-decree",
        organisation="dfr-fr",
        year=khmer_digits(instrument.created_at.year),
        inside="false",
    )
    assert found.status_code == 200 and found.json()["count"] >= 1


@pytest.mark.parametrize("year", ["0001", "1899", "2201"])
def test_a_year_of_four_digits_out_of_range_is_refused_not_a_server_error(demo, corpus, year):
    """0001 ends before the database's dates do once in Phnom Penh's time: the API, like the
    page, says which years it takes; the selector refuses it to any other caller."""
    from search import selectors

    response = _api(demo, "drafter", q="ពិនិត្យ", year=year)
    assert response.status_code == 400
    assert response.json()["errors"] == {"year": ["សូមផ្ដល់ឆ្នាំពី ១៩០០ ដល់ ២២០០។"]}
    demo["drafter"].language = "en"
    demo["drafter"].save(update_fields=["language"])
    body = _api(demo, "drafter", q="ពិនិត្យ", year=year).json()
    assert body["errors"] == {"year": ["Give a year from 1900 to 2200."]}
    with pytest.raises(ValueError, match="between 1900 and 2200"):
        selectors.search(demo["drafter"], "ពិនិត្យ", year=int(year))


def test_the_api_refuses_the_signed_out(client, corpus):
    assert client.get("/api/v1/search/", {"q": "ពិនិត្យ"}).status_code in (401, 403)


def test_the_search_is_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "inside", "page"}


def test_the_api_costs_the_same_queries_for_10_or_100_results(demo, corpus):
    instrument, _provisions = corpus
    _api(demo, "drafter", q="ពិនិត្យ")
    _articles(demo, instrument, 9)
    with CaptureQueriesContext(connection) as few:
        assert len(_api(demo, "drafter", q="ពិនិត្យ").json()["results"]) == 10
    _articles(demo, instrument, 90)
    with CaptureQueriesContext(connection) as many:
        assert len(_api(demo, "drafter", q="ពិនិត្យ", page_size=50).json()["results"]) == 50
    assert len(few) == len(many)


def test_each_hit_escapes_what_a_person_typed(client, demo, corpus):
    """The hits are written in Python (``search/rendering.py``): the title, the type's name
    and the provision's text, markup typed in each, show as text."""
    from documents.models import InstrumentType
    from organisations.models import Organisation

    instrument_type = InstrumentType.objects.get(code="sub-decree")
    instrument_type.name_km = "អនុក្រឹត្យ<i>"
    instrument_type.save()
    instrument = documents.instrument_create(
        user=demo["drafter"],
        instrument_type=instrument_type,
        title_km='<b class="x">ត្រួតពិនិត្យ</b>',
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind=Provision.Kind.ARTICLE,
        text_km="<script>ត្រួតពិនិត្យ</script>",
    )
    html = _page(client, demo["drafter"], q="ត្រួតពិនិត្យ").content.decode()
    assert "&lt;b class=&quot;x&quot;&gt;ត្រួតពិនិត្យ&lt;/b&gt;" in html
    assert "អនុក្រឹត្យ&lt;i&gt;" in html
    assert "&lt;script&gt;<mark>ត្រួតពិនិត្យ</mark>&lt;/script&gt;" in html
    assert "<b class" not in html and "<script>ត្រួត" not in html and "អនុក្រឹត្យ<i>" not in html
