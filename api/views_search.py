"""``/api/v1/search/?q=``: the search page's results as JSON (``search.selectors``), each hit
with its instrument's id and its provision's uid; what the caller may see, as on the page."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from api.views import ApiView
from documents.models import Instrument, InstrumentType
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


def _pk(model, field: str, value: str | None) -> int | None:
    if not value:
        return None
    found = model.objects.filter(**{field: value[:50]}).values_list("pk", flat=True).first()
    return found if found is not None else 0  # an unknown code: a filter nothing passes


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) == 4 else None


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
    sent to them and their organisation's comments."""

    serializer_class = SearchHitSerializer

    def get_queryset(self):
        params = self.request.query_params
        q = (params.get("q") or "")[: selectors.QUERY_MAX]
        inside_words = params.get("inside") in ("true", "1")
        status = params.get("status")
        return selectors.results(
            self.request.user,
            q,
            inside_words=inside_words,
            kind=params.get("kind") if params.get("kind") in SearchEntry.Kind.values else None,
            instrument_type=_pk(InstrumentType, "code", params.get("type")),
            status=status if status in Instrument.Status.values else None,
            year=_year(params.get("year")),
            organisation=_pk(Organisation, "code", params.get("organisation")),
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        params = request.query_params
        q, inside_words = params.get("q") or "", params.get("inside") in ("true", "1")
        hits = selectors.hits(page, q, inside_words=inside_words)
        return self.get_paginated_response(self.get_serializer(hits, many=True).data)
