"""Every URL of the project, with hostile path and query parameters: never a 500 (issue 9,
item 10).

The URL patterns are read from the resolver, so a page added later is fuzzed too. Each pattern
is requested with the ids of a real instrument in consultation (so that the page's own code
runs) and again with ids no database column can hold, each time with hostile query
parameters (20-digit numbers, negative numbers, non-ASCII digits, NUL, very long values), as a
drafter and as a ministry reviewer; the admin's pages as the administrator. GET only: what a
link, a bookmark or a crafted address can reach. Deterministic, about a thousand requests.
"""

import re
from itertools import cycle
from urllib.parse import quote

import pytest
from django.urls import URLResolver, get_resolver, reverse

from documents.models import Provision
from workflows import services
from workflows.models import Consultation
from workflows.tests.conftest import _flow_urls_loaded, instrument, open_round
from workflows.tests.test_pages import in_consultation

__all__ = ["_flow_urls_loaded", "in_consultation", "instrument"]  # fixtures

HUGE = "99999999999999999999"
# Every query names a version pair (the comparison's ``a`` and ``b``) and one more parameter.
_VERSIONS = [
    f"a={HUGE}&b=draft",
    "a=%C2%B2&b=-1",  # "²" is a digit to str.isdigit()
    f"a=draft&b={HUGE}",
    "a=%00&b=%E1%9F%A1",  # NUL; a Khmer digit
    "a=-1&b=" + "9" * 400,
]
_OTHERS = [
    f"page={HUGE}&q=%00",
    "page=-1&q=" + quote("ក" * 300),
    "sha256=" + "f" * 64,
    "sha256=%00" + "z" * 70,
    f"parent={HUGE}&after=-1&kind=%00",
    f"p={HUGE}&o=-x&q=" + "x" * 3000,
    "_changelist_filters=%00&e=1",
    "next=//evil.example/&open=1",
]
HOSTILE_QUERIES = [
    f"{versions}&{other}" for other in _OTHERS for versions in _VERSIONS[: len(_OTHERS)]
]
HOSTILE_SEGMENTS = ["%00", quote("ក"), "x" * 300, "1/password", f"{HUGE}", "-1"]
# Requests that would end the session rather than show a page.
SKIPPED = re.compile(r"logout")

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?[^()]*\)")


def patterns(resolver=None, prefix=""):
    """Every URL pattern of the project, as one route string each (prefixes joined)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern, prefix + route)
        else:
            yield prefix + route


def fill(route: str, values: dict, default: str) -> str:
    """``route`` with each parameter (``<int:pk>``, or a regular expression's group) replaced."""

    def param(match):
        name, converter = match["name"], match["converter"] or "str"
        if converter == "int":
            if default == "mixed":  # the outer id past 64 bits, the inner one real
                return HUGE if name in OUTER else values.get(name, values["pk"])
            return values.get(name, values["pk"]) if default == "real" else HUGE
        return values.get(name, "1") if default in ("real", "mixed") else next(_segments)

    def group(match):
        if match["name"] == "app_label":
            return "documents" if default in ("real", "mixed") else "%00"
        return values["pk"] if default in ("real", "mixed") else next(_segments)

    url = _PARAM.sub(param, route)
    url = _GROUP.sub(group, url.replace("^", "").replace("$", ""))
    url = url.replace(".*", "x")
    return "/" + url.lstrip("/")


_segments = cycle(HOSTILE_SEGMENTS)
OUTER = {"pk", "process_pk"}  # the instrument's, the process's: the first id of a route


@pytest.fixture
def consulted(demo, in_consultation):
    """An instrument in consultation with MEF and MoH, with a comment, a version, a row."""
    consultation_round = open_round(demo, in_consultation, ("mef", "moh"))
    instrument = in_consultation.instrument
    mef = Consultation.objects.get(round=consultation_round, organisation__code="mef")
    article = Provision.objects.filter(instrument=instrument, kind="article").first()
    comment = services.comment_add(consultation=mef, user=demo["reviewer-mef"], text="សូមកែ")
    task = mef.task
    return {
        "pk": str(instrument.pk),
        "process_pk": str(in_consultation.pk),
        "task_pk": str(task.pk),
        "task_node": task.flow_task.name,
        "round_number": "1",
        "round_pk": str(consultation_round.pk),
        "provision_pk": str(article.pk),
        "row_pk": "1",
        "version_pk": str(consultation_round.version_id),
        "comment": str(comment.pk),
        "id": str(demo["drafter"].pk),
        "object_id": str(demo["drafter"].pk),
    }


def requests(values: dict):
    """(user, url) pairs: each pattern with real ids and with hostile ones, each with a
    hostile query; the admin's pages as the administrator, the others as two roles.

    A viewflow task URL is requested with the real task only under the task's own node (the
    task of another node is the node × action test's subject), and with ids that cannot exist
    under every node, as one role: ninety-odd routes that share one view."""
    queries = cycle(HOSTILE_QUERIES)
    for route in patterns():
        if SKIPPED.search(route):
            continue
        users = ["admin"] if route.startswith("admin/") else ["drafter", "reviewer-mef"]
        variants = ["real", "hostile"]
        node = _TASK_NODE.search(route)
        if node and node["node"] != values["task_node"]:
            variants, users = ["hostile"], users[:1]
        if "<" not in route and "(" not in route:
            variants = ["real"]  # no parameter: the query is all there is to vary
        elif route.count("<int:") > 1 and "hostile" in variants and "real" in variants:
            variants.append("mixed")  # an id past 64 bits beside a real one
        for default in variants:
            url = fill(route, values, default)
            query = next(queries)
            for user in users:
                yield user, f"{url}?{query}"


_TASK_NODE = re.compile(r"/(?P<node>\w+)/<int:task_pk>/")


@pytest.mark.django_db
def test_no_url_answers_500_to_hostile_parameters(demo, consulted, client):
    client.raise_request_exception = False
    failures, done, signed_in = [], 0, None
    for user, url in sorted(requests(consulted)):
        if user != signed_in:
            client.force_login(demo[user])
            signed_in = user
        response = client.get(url)
        done += 1
        if response.status_code == 500:
            failures.append(f"{response.status_code} {user} {url[:200]}")
    assert done > 400
    assert not failures, "\n".join(failures)


# --- The reproductions of the issue ---------------------------------------------------------


@pytest.mark.parametrize("key", [HUGE, "²", "១", "-1", "1" * 400, "%00"])
def test_the_comparison_of_a_version_that_cannot_exist_is_not_found(demo, instrument, client, key):
    """``compare/?a=`` with a 20-digit number answered 500 (on SQLite; "²" on PostgreSQL)."""
    client.raise_request_exception = False
    client.force_login(demo["drafter"])
    compare = reverse("documents:compare", args=[instrument.pk])
    for query in (f"?a={key}", f"?a=draft&b={key}"):
        assert client.get(compare + query).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/admin/organisations/user/{id}/password/history/",
        "/admin/organisations/user/abc/history/",
        "/admin/organisations/user/{id}/history/abc/",
        "/admin/documents/instrument/x/history/",
        "/admin/documents/instrument/1/history/x/",
    ],
)
def test_the_admin_s_history_of_an_id_that_cannot_exist_is_not_found(demo, client, path):
    client.raise_request_exception = False
    client.force_login(demo["admin"])
    assert client.get(path.format(id=demo["drafter"].pk)).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/admin/tasks/heartbeat/%00/change/", "/admin/tasks/heartbeat/a%00b/delete/", "/%00/"],
)
def test_an_address_with_a_nul_character_is_not_found(demo, client, path):
    """PostgreSQL cannot compare text with a NUL: the admin's pages of a model keyed by text
    answered 500 (a DataError) before any check."""
    from organisations.models import User

    client.raise_request_exception = False
    client.force_login(User.objects.create_superuser("root", password="x"))
    assert client.get(path).status_code == 404
