"""``/api/v1/search/?q=``: the search page's results as JSON (``search.selectors``), each hit
with its instrument's id and its provision's uid; what the caller may see, as on the page."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from api.views import ApiView
from documents.models import Instrument, InstrumentType
from khmer.formats import format_number
from khmer.forms import latin_digits
from khmer.templatetags.khmer import kmdigits  # a year: its digits, not grouped
from organisations.models import Organisation
from search import selectors
from search.models import SearchEntry


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SearchEntry.Kind.choices, source="entry.kind")
    instrument = serializers.IntegerField(source="instrument.pk")
    instrument_title = serializers.CharField(source="instrument.title")
    instrument_type = serializers.CharField(source="instrument.instrument_type.code")
    provision_uid = serializers.UUIDField(source="entry.provision_uid", allow_null=True)
    label = serializers.CharField(help_text="The provision's number (មាត្រា ១២), or empty.")
    version = serializers.IntegerField(source="version.pk", allow_null=True, default=None)
    version_number = serializers.IntegerField(
        source="version.number", allow_null=True, default=None
    )
    snippet = serializers.CharField(
        help_text="HTML: the text around the match, escaped, the matched words in <mark>."
    )
    whole_words = serializers.BooleanField(
        source="whole", help_text="False: found inside longer words only (ranked after)."
    )


def _code(model, value: str, errors: dict, name: str, message) -> int | None:
    """The id of the ``model`` row whose code is ``value`` (none asked: None)."""
    if not value:
        return None
    found = model.objects.filter(code=value[:50]).values_list("pk", flat=True).first()
    if found is None:
        errors[name] = [message]
    return found


def _filters(params, errors: dict) -> dict:
    """The selector's arguments from the query string; what is wrong with it, by parameter,
    into ``errors`` (each said in the caller's language, as the search page says it beside
    its field)."""
    q = params.get("q") or ""
    if len(q) > selectors.QUERY_MAX:
        errors["q"] = [
            _("A search reads at most %(count)s characters.")
            % {"count": format_number(selectors.QUERY_MAX)}
        ]
    inside = params.get("inside", "")
    if inside not in _BOOLEANS:
        errors["inside"] = [_("Give true or false.")]
    kind = params.get("kind") or None
    if kind and kind not in SearchEntry.Kind.values:
        errors["kind"] = [
            _("Give one of: %(choices)s.") % {"choices": ", ".join(SearchEntry.Kind.values)}
        ]
    status = params.get("status") or None
    if status and status not in Instrument.Status.values:
        errors["status"] = [_("No instrument has this status.")]
    year = latin_digits(params.get("year") or "")
    if year and not (len(year) == 4 and year.isascii() and year.isdigit()):
        errors["year"] = [_("Give the year in four digits, for example 2026.")]
    elif year and int(year) not in selectors.YEARS:
        errors["year"] = [
            _("Give a year from %(first)s to %(last)s.")
            % {"first": kmdigits(selectors.YEARS[0]), "last": kmdigits(selectors.YEARS[-1])}
        ]
    return {
        "q": q,
        "inside_words": _BOOLEANS.get(inside, False),
        "kind": kind,
        "instrument_type": _code(
            InstrumentType,
            params.get("type"),
            errors,
            "type",
            _("No instrument type has this code."),
        ),
        "status": status,
        "year": int(year) if "year" not in errors and year else None,
        "organisation": _code(
            Organisation,
            params.get("organisation"),
            errors,
            "organisation",
            _("No organisation has this code."),
        ),
    }


_BOOLEANS = {"": False, "false": False, "0": False, "true": True, "1": True}


@extend_schema(
    tags=["search"],
    parameters=[
        OpenApiParameter("q", str, description="Words, in Khmer or English (a phrase)."),
        OpenApiParameter("inside", bool, description="Also inside longer words."),
        OpenApiParameter("kind", str, enum=SearchEntry.Kind.values),
        OpenApiParameter("type", str, description="Instrument type code (e.g. sub-decree)."),
        OpenApiParameter(
            "status",
            str,
            enum=Instrument.Status.values,
            description="Status (internal staff; anyone else gets an empty list).",
        ),
        OpenApiParameter("year", int, description="The year the instrument was created."),
        OpenApiParameter("organisation", str, description="Organisation code (e.g. mef)."),
    ],
)
class Search(ApiView, generics.ListAPIView):
    """Search the titles, the text (working draft, versions sent or signed), the transfer
    schedules and the comments: internal staff everything; a ministry reviewer the versions
    sent to them and their organisation's comments. A parameter that is not valid (an
    unknown code, a year not of four digits or out of range) is answered 400, parameter by
    parameter."""

    serializer_class = SearchHitSerializer

    def filters(self) -> dict:
        errors: dict = {}
        filters = _filters(self.request.query_params, errors)
        if errors:
            raise ValidationError(errors)
        return filters

    def list(self, request, *args, **kwargs):
        filters = self.filters()
        page = self.paginate_queryset(selectors.results(request.user, **filters))
        hits = selectors.hits(page, filters["q"], inside_words=filters["inside_words"])
        return self.get_paginated_response(self.get_serializer(hits, many=True).data)
