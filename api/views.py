"""The REST API's views: thin, as the pages are. Each reads through ``api.permissions`` and a
selector, and writes through the service the page calls; rights and validity are theirs.

Every view answers JSON; an object the caller may not see is a 404, as on the pages (its
existence is not told).
"""

import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api import permissions, serializers
from documents import selectors as documents
from documents.diffing import compare_snapshots
from documents.models import Instrument, Version
from workflows import selectors as workflows
from workflows import services
from workflows.models import Comment, Consultation

_DIGITS = re.compile(r"[0-9]{1,18}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ApiView(generics.GenericAPIView):
    """Answers in the caller's language, whichever way they signed in.

    The language middleware runs before DRF has read a token, so a system signed in with
    one would get the default language: the user's own choice is applied here, once DRF
    knows who they are. The login-required middleware leaves the API to DRF, which answers
    401 in JSON rather than redirecting to the sign-in page.
    """

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    def perform_authentication(self, request):
        super().perform_authentication(request)
        user = request.user
        if user.is_authenticated and user.language in {code for code, _n in settings.LANGUAGES}:
            translation.activate(user.language)
            request._request.LANGUAGE_CODE = user.language

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        return response

    @property
    def internal(self) -> bool:
        return permissions.sees_internal_record(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "internal": self.internal}

    def paginated(self, items, serializer_class=None, **context):
        page = self.paginate_queryset(items)
        serializer = (serializer_class or self.get_serializer_class())(
            page, many=True, context={**self.get_serializer_context(), **context}
        )
        return self.get_paginated_response(serializer.data)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError(_("Send a JSON object."))
    return request.data


def _string(data: dict, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: _("Send this as text.")})
    return value


# --- Instruments ----------------------------------------------------------------------------


@extend_schema(
    tags=["instruments"],
    parameters=[
        OpenApiParameter(
            "status",
            str,
            enum=Instrument.Status.values,
            description="Status (internal staff; anyone else gets an empty list).",
        ),
        OpenApiParameter("type", str, description="Instrument type code (e.g. sub-decree)."),
        OpenApiParameter("q", str, description="Words of the Khmer or English title."),
        OpenApiParameter("mine", bool, description="Only those I draft (lead or co-drafter)."),
    ],
)
class InstrumentList(ApiView, generics.ListAPIView):
    """Instruments: internal staff see every one; a ministry reviewer those consulting their
    organisation (title and type only)."""

    serializer_class = serializers.InstrumentSerializer

    def get_queryset(self):
        instruments = permissions.instruments(self.request.user).select_related(
            "instrument_type", "owning_office", "lead_drafter"
        )
        params = self.request.query_params
        if "status" in params:
            if params["status"] not in Instrument.Status.values:
                raise ValidationError({"status": _("No instrument has this status.")})
            if not self.internal:  # the status is the department's: filtering would tell it
                return instruments.none()
            instruments = instruments.filter(status=params["status"])
        if params.get("type"):
            instruments = instruments.filter(instrument_type__code=params["type"][:50])
        if params.get("q"):
            words = params["q"][:200].replace("\x00", "")
            instruments = instruments.filter(
                Q(title_km__icontains=words) | Q(title_en__icontains=words)
            )
        if params.get("mine") in ("true", "1"):
            user = self.request.user
            instruments = instruments.filter(Q(lead_drafter=user) | Q(co_drafters=user))
        return instruments.order_by("-updated_at", "-pk").distinct()


@extend_schema(tags=["instruments"])
class InstrumentDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = serializers.InstrumentSerializer

    def get_queryset(self):
        return permissions.instruments(self.request.user).select_related(
            "instrument_type", "owning_office", "lead_drafter"
        )


class InstrumentWithTextMixin:
    """The instrument's working draft, schedule or audit trail: internal staff only (404 to
    anyone else, who never sees the unsent draft)."""

    def instrument(self) -> Instrument:
        return get_object_or_404(
            permissions.instruments_with_text(self.request.user), pk=self.kwargs["pk"]
        )


@extend_schema(tags=["instruments"])
class InstrumentText(InstrumentWithTextMixin, ApiView, generics.ListAPIView):
    """The working draft's provisions in document order, with their lasting ``uid`` and
    their number and label computed from the order (as printed)."""

    serializer_class = serializers.ProvisionSerializer

    def list(self, request, *args, **kwargs):
        nodes = documents.instrument_tree(instrument=self.instrument())
        return self.paginated(serializers.tree_provisions(nodes))


@extend_schema(tags=["instruments"])
class InstrumentSchedule(InstrumentWithTextMixin, ApiView, generics.ListAPIView):
    """The transfer schedule of the working draft, row by row."""

    serializer_class = serializers.ScheduleRowSerializer

    def list(self, request, *args, **kwargs):
        rows = documents.schedule_rows(instrument=self.instrument())
        return self.paginated([serializers.schedule_row(row) for row in rows])


@extend_schema(tags=["instruments"])
class InstrumentAudit(InstrumentWithTextMixin, ApiView, generics.ListAPIView):
    """Every step of the process on this instrument: who, acting for whom, when, what."""

    serializer_class = serializers.AuditEntrySerializer

    def get_queryset(self):
        return workflows.audit_trail(instrument=self.instrument())


# --- Versions and comparison ---------------------------------------------------------------


class VersionsMixin:
    def versions(self):
        return (
            permissions.versions(self.request.user)
            .filter(instrument_id=self.kwargs["pk"])
            .select_related("created_by")
        )


@extend_schema(tags=["versions"])
class VersionList(VersionsMixin, ApiView, generics.ListAPIView):
    """The instrument's frozen versions this user may read (a ministry reviewer: those sent
    to their organisation), newest first."""

    serializer_class = serializers.VersionSerializer

    def get_queryset(self):
        return self.versions().defer("snapshot").order_by("-number")


@extend_schema(tags=["versions"])
class VersionDetail(VersionsMixin, ApiView, generics.RetrieveAPIView):
    """A frozen version whole: header, provisions (uids, labels), schedule."""

    serializer_class = serializers.VersionDetailSerializer
    lookup_url_kwarg = "version_pk"

    def get_queryset(self):
        return self.versions()


@extend_schema(
    tags=["versions"],
    parameters=[
        OpenApiParameter("a", str, required=True, description="Older side: a version id."),
        OpenApiParameter(
            "b", str, required=True, description='Newer side: a version id, or "draft".'
        ),
    ],
    responses=serializers.ComparisonSerializer,
)
class VersionCompare(VersionsMixin, ApiView):
    """Two versions (or a version and the working draft, for internal staff) compared word
    by word, provision by provision (matched by uid), and row by row."""

    serializer_class = serializers.ComparisonSerializer
    pagination_class = None

    def side(self, key: str):
        if key == "draft":
            instrument = get_object_or_404(
                permissions.instruments_with_text(self.request.user), pk=self.kwargs["pk"]
            )
            return Version(pk=None, instrument=instrument), documents.instrument_snapshot(
                instrument=instrument
            )
        if not _DIGITS.fullmatch(key):
            raise ValidationError(_('Name a version by its id, or "draft".'))
        version = get_object_or_404(self.versions(), pk=int(key))
        return version, version.snapshot

    def get(self, request, *args, **kwargs):
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        if not a or not b:
            raise ValidationError(_("Name the two versions to compare (a and b)."))
        (old, old_snapshot), (new, new_snapshot) = self.side(a), self.side(b)
        result = compare_snapshots(old_snapshot, new_snapshot)
        return Response(serializers.comparison(old, new, result))


# --- Process, tasks, rounds, matrix ---------------------------------------------------------


class ProcessesMixin:
    serializer_class = serializers.ProcessSerializer

    def get_queryset(self):
        return (
            permissions.processes(self.request.user)
            .select_related("instrument")
            .order_by("-created", "-pk")
        )


@extend_schema(tags=["process"])
class ProcessList(ProcessesMixin, ApiView, generics.ListAPIView):
    """The processes this user may see (a ministry reviewer: those that consulted their
    organisation), newest first."""


@extend_schema(tags=["process"])
class ProcessDetail(ProcessesMixin, ApiView, generics.RetrieveAPIView):
    """A process's state: running (NEW), DONE or CANCELED."""


def _tasks(queryset):
    return queryset.select_related(
        "process__approvalprocess__instrument", "owner", "deadline__organisation"
    )


@extend_schema(tags=["process"])
class ProcessTasks(ApiView, generics.ListAPIView):
    """The process's steps this user may see: internal staff every one, a ministry reviewer
    their organisation's consultation tasks."""

    serializer_class = serializers.TaskSerializer

    def get_queryset(self):
        process = get_object_or_404(permissions.processes(self.request.user), pk=self.kwargs["pk"])
        return _tasks(permissions.tasks(self.request.user).filter(process=process)).order_by(
            "created", "pk"
        )


@extend_schema(tags=["process"])
class MyTasks(ApiView, generics.ListAPIView):
    """The steps waiting for me: held by me (or by someone I act for), or in a queue I may
    take from."""

    serializer_class = serializers.TaskSerializer

    def get_queryset(self):
        return _tasks(permissions.my_tasks(self.request.user)).order_by("created", "pk")


@extend_schema(tags=["process"])
class RoundList(ApiView, generics.ListAPIView):
    """The process's consultation rounds, each with the consultations this user may see
    (a ministry reviewer: the rounds that consulted their organisation)."""

    serializer_class = serializers.RoundSerializer

    def list(self, request, *args, **kwargs):
        process = get_object_or_404(
            permissions.processes(request.user).select_related("instrument"), pk=kwargs["pk"]
        )
        rounds = [
            r
            for r in permissions.rounds(request.user, instrument=process.instrument)
            if r.process_id == process.pk
        ]
        return self.paginated(rounds)


@extend_schema(tags=["process"])
class Matrix(ApiView, generics.ListAPIView):
    """The round's comment–response matrix. Outside the department: before the director
    publishes it, only the reader's organisation's comments, without the answers."""

    serializer_class = serializers.MatrixRowSerializer

    def list(self, request, *args, **kwargs):
        process = get_object_or_404(permissions.processes(request.user), pk=kwargs["pk"])
        consultation_round = get_object_or_404(
            process.rounds.select_related("version", "instrument"), number=kwargs["number"]
        )
        user = request.user
        answers = permissions.answers_visible(user, consultation_round=consultation_round)
        results = {}
        if answers:
            results[consultation_round.number] = workflows.round_result(
                consultation_round=consultation_round,
                working_draft=permissions.sees_internal_record(user),
            )
        rows = workflows.matrix_rows(
            permissions.comments(user, consultation_round=consultation_round),
            language=translation.get_language(),
            results=results,
        )
        return self.paginated([serializers.matrix_row(row, answers=answers) for row in rows])


# --- Consultations, comments, positions -----------------------------------------------------


def _consultations(user):
    return permissions.consultations(user).select_related(
        "round__instrument", "organisation", "answered_by", "acting_for"
    )


class ConsultationsMixin:
    serializer_class = serializers.ConsultationSerializer

    def get_queryset(self):
        return _consultations(self.request.user).order_by("-round__opened_at", "-pk")


@extend_schema(tags=["consultations"])
class ConsultationList(ConsultationsMixin, ApiView, generics.ListAPIView):
    """The consultations this user may see: a ministry reviewer, those addressed to their
    organisation; internal staff, every one."""


@extend_schema(tags=["consultations"])
class ConsultationDetail(ConsultationsMixin, ApiView, generics.RetrieveAPIView):
    """One consultation: the version sent (read it at ``versions/{id}/``), the deadline, the
    organisation's answer."""


@extend_schema(tags=["consultations"])
class ConsultationComments(ApiView, generics.ListCreateAPIView):
    """The consultation's comments (a reviewer sees their organisation's); POST adds one, on
    a provision of the version sent or on the whole text, as the review page does."""

    serializer_class = serializers.CommentSerializer

    def consultation(self) -> Consultation:
        return get_object_or_404(
            permissions.consultations(self.request.user).select_related("round"),
            pk=self.kwargs["pk"],
        )

    def answers_visible(self):
        user, cache = self.request.user, {}

        def visible(consultation_round):
            if consultation_round.pk not in cache:
                cache[consultation_round.pk] = permissions.answers_visible(
                    user, consultation_round=consultation_round
                )
            return cache[consultation_round.pk]

        return visible

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "answers_visible": self.answers_visible()}

    def get_queryset(self):
        consultation = self.consultation()
        return (
            permissions.comments(self.request.user, consultation_round=consultation.round)
            .filter(consultation=consultation)
            .select_related("consultation__organisation", "consultation__round", "author")
            .select_related("acting_for")
            .order_by("pk")
        )

    @extend_schema(
        request=serializers.CommentCreateSerializer,
        responses={201: serializers.CommentSerializer},
    )
    def post(self, request, *args, **kwargs):
        consultation = self.consultation()
        data = _body(request)
        provision = data.get("provision_uid")
        if provision is not None and not isinstance(provision, str):
            raise ValidationError({"provision_uid": _("Send this as text.")})
        comment = services.comment_add(
            consultation=consultation,
            user=request.user,
            text=_string(data, "text"),
            provision_uid=provision or None,
        )
        comment = Comment.objects.select_related(
            "consultation__organisation", "consultation__round", "author", "acting_for"
        ).get(pk=comment.pk)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["consultations"], responses={204: None})
class CommentDelete(ApiView):
    """Its author deletes a comment while the consultation is open (as on the review page)."""

    def delete(self, request, *args, **kwargs):
        comment = get_object_or_404(
            Comment.objects.filter(
                consultation__in=permissions.consultations(request.user)
            ).select_related("consultation"),
            pk=kwargs["pk"],
        )
        services.comment_delete(comment=comment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["consultations"],
    request=serializers.PositionCreateSerializer,
    responses={200: serializers.ConsultationSerializer},
)
class ConsultationPosition(ApiView):
    """The organisation's position: completes its consultation task, as the review page's
    form does (the same step, the same service), so the process moves on the same way."""

    serializer_class = serializers.ConsultationSerializer

    def post(self, request, *args, **kwargs):
        consultation = get_object_or_404(
            permissions.consultations(request.user).select_related("task"), pk=kwargs["pk"]
        )
        data = _body(request)
        position, remarks = _string(data, "position"), _string(data, "remarks")
        if consultation.task is None:
            raise ValidationError(
                _("This consultation has been answered; it can no longer change.")
            )
        with services.task_activation(task=consultation.task, user=request.user) as activation:
            services.consultation_answer(
                activation=activation, user=request.user, position=position, remarks=remarks
            )
        consultation = _consultations(request.user).get(pk=consultation.pk)
        return Response(self.get_serializer(consultation).data)


# --- Verification (public) ------------------------------------------------------------------


@extend_schema(tags=["verify"], responses=serializers.SignOffSerializer, auth=[])
class Verify(ApiView):
    """Public: what the director-general signed whose text has this SHA-256 (404: nothing
    signed has it)."""

    serializer_class = serializers.SignOffSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get(self, request, *args, **kwargs):
        digest = kwargs["sha256"].strip().lower()
        sign_off = workflows.sign_off_by_hash(digest) if _SHA256.fullmatch(digest) else None
        if sign_off is None:
            raise Http404
        return Response(self.get_serializer(sign_off).data)


@extend_schema(exclude=True)
class NotFound(ApiView):
    """Any other address under /api/: a JSON 404 like every other answer of the API (not
    Django's HTML page), whatever the method."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise Http404
