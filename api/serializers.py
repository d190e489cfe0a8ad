"""What the API returns. Output only: input is read by the views and checked by the services.

Fields that only the department may read (officials' names, internal status) are null for
anyone else, never left out, so that every answer has the schema's shape.
"""

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.models import Instrument, Provision, ScheduleRow, Version
from documents.numbering import provision_label
from workflows.models import Disposition, Position, SilenceRule


def _person(user) -> str | None:
    return str(user) if user is not None else None


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The error, in the caller's language.")
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class InstrumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(source="instrument_type.code")
    type_name = serializers.CharField(source="instrument_type.name")
    title_km = serializers.CharField()
    title_en = serializers.CharField()
    status = serializers.SerializerMethodField()
    reference_number = serializers.CharField()
    registered_on = serializers.DateField(allow_null=True)
    owning_office = serializers.SerializerMethodField()
    lead_drafter = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    def _internal(self) -> bool:
        return self.context.get("internal", False)

    @extend_schema_field(
        serializers.ChoiceField(choices=Instrument.Status.choices, allow_null=True)
    )
    def get_status(self, instrument):
        return instrument.status if self._internal() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owning_office(self, instrument):
        return instrument.owning_office.code if self._internal() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_drafter(self, instrument):
        return _person(instrument.lead_drafter) if self._internal() else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, instrument):
        return (
            serializers.DateTimeField().to_representation(instrument.updated_at)
            if (self._internal())
            else None
        )


class ProvisionSerializer(serializers.Serializer):
    """A provision of a text: its lasting ``uid``, its computed number and label."""

    uid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Provision.Kind.choices)
    parent = serializers.UUIDField(allow_null=True)
    depth = serializers.IntegerField()
    number = serializers.CharField()
    label = serializers.CharField(help_text="The number as printed, in the caller's language.")
    heading_km = serializers.CharField()
    heading_en = serializers.CharField()
    text_km = serializers.CharField()
    text_en = serializers.CharField()


def snapshot_provisions(snapshot: dict) -> list[dict]:
    """A frozen text's provisions with their depth and label, in document order."""
    language = get_language()
    depth_of: dict[str, int] = {}
    provisions = []
    for item in snapshot["provisions"]:
        depth = depth_of[item["uid"]] = depth_of.get(item["parent"], -1) + 1
        provisions.append(
            {
                **item,
                "depth": depth,
                "label": provision_label(item["kind"], item["number"], language),
            }
        )
    return provisions


def tree_provisions(nodes) -> list[dict]:
    """The working draft's numbered nodes (``documents.selectors.instrument_tree``)."""
    language = get_language()
    uid_of = {node.provision.pk: node.provision.uid for node in nodes}
    return [
        {
            "uid": node.provision.uid,
            "kind": node.provision.kind,
            "parent": uid_of.get(node.provision.parent_id),
            "depth": node.depth,
            "number": node.number,
            "label": node.label(language),
            "heading_km": node.provision.heading_km,
            "heading_en": node.provision.heading_en,
            "text_km": node.provision.text_km,
            "text_en": node.provision.text_en,
        }
        for node in nodes
    ]


class ScheduleRowSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    function_km = serializers.CharField()
    function_en = serializers.CharField()
    from_ministry = serializers.CharField()
    level = serializers.ChoiceField(choices=ScheduleRow.Level.choices)
    legal_basis = serializers.CharField()
    staff_count = serializers.IntegerField()
    budget_riel = serializers.IntegerField()
    assets = serializers.CharField()
    effective_date = serializers.DateField(allow_null=True)


def schedule_row(row: ScheduleRow) -> dict:
    return {
        "uid": row.uid,
        "function_km": row.function_km,
        "function_en": row.function_en,
        "from_ministry": row.from_ministry.code,
        "level": row.level,
        "legal_basis": row.legal_basis,
        "staff_count": row.staff_count,
        "budget_riel": row.budget_riel,
        "assets": row.assets,
        "effective_date": row.effective_date,
    }


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.IntegerField(source="instrument_id")
    number = serializers.IntegerField()
    label = serializers.CharField()
    reason = serializers.ChoiceField(choices=Version.Reason.choices)
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, version):
        return _person(version.created_by) if self.context.get("internal") else None


class SnapshotHeaderSerializer(serializers.Serializer):
    type = serializers.CharField()
    title_km = serializers.CharField()
    title_en = serializers.CharField()


class VersionDetailSerializer(VersionSerializer):
    """A frozen version whole: its header, text and schedule as they were frozen."""

    header = serializers.SerializerMethodField()
    provisions = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField()

    @extend_schema_field(SnapshotHeaderSerializer)
    def get_header(self, version):
        return version.snapshot["instrument"]

    @extend_schema_field(ProvisionSerializer(many=True))
    def get_provisions(self, version):
        return ProvisionSerializer(snapshot_provisions(version.snapshot), many=True).data

    @extend_schema_field(ScheduleRowSerializer(many=True))
    def get_schedule(self, version):
        return ScheduleRowSerializer(version.snapshot.get("schedule", []), many=True).data


class FieldDiffSerializer(serializers.Serializer):
    name = serializers.CharField()
    segments = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        help_text='Word by word: ["equal" | "insert" | "delete", text].',
    )


class ProvisionDiffSerializer(serializers.Serializer):
    uid = serializers.CharField()
    status = serializers.ChoiceField(choices=["unchanged", "added", "deleted", "changed"])
    kind = serializers.CharField()
    depth = serializers.IntegerField()
    moved = serializers.BooleanField()
    renumbered = serializers.BooleanField()
    old_label = serializers.CharField()
    new_label = serializers.CharField()
    fields = FieldDiffSerializer(many=True)


class ScheduleRowDiffSerializer(serializers.Serializer):
    uid = serializers.CharField()
    status = serializers.ChoiceField(choices=["unchanged", "added", "deleted", "changed"])
    fields = FieldDiffSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    added = serializers.IntegerField()
    deleted = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    moved = serializers.IntegerField()
    renumbered = serializers.IntegerField()
    schedule_added = serializers.IntegerField()
    schedule_deleted = serializers.IntegerField()
    schedule_changed = serializers.IntegerField()
    instrument_changed = serializers.IntegerField()


class ComparisonSerializer(serializers.Serializer):
    old = serializers.IntegerField(help_text="The older version's id.")
    new = serializers.IntegerField(help_text="The newer version's id.")
    summary = SummarySerializer()
    instrument = FieldDiffSerializer(many=True)
    provisions = ProvisionDiffSerializer(many=True)
    schedule = ScheduleRowDiffSerializer(many=True)


def _field_diff(diff) -> dict:
    return {"name": diff.name, "segments": [[op, text] for op, text in diff.segments]}


def comparison(old: Version, new: Version, result) -> dict:
    language = get_language()

    def label(item):
        return provision_label(item["kind"], item["number"], language) if item else ""

    return {
        "old": old.pk,
        "new": new.pk,
        "summary": {name: getattr(result.summary, name) for name in SummarySerializer().fields},
        "instrument": [_field_diff(diff) for diff in result.instrument],
        "provisions": [
            {
                "uid": diff.uid,
                "status": diff.status,
                "kind": diff.kind,
                "depth": diff.depth,
                "moved": diff.moved,
                "renumbered": diff.renumbered,
                "old_label": label(diff.old),
                "new_label": label(diff.new),
                "fields": [_field_diff(field) for field in diff.fields],
            }
            for diff in result.provisions
        ],
        "schedule": [
            {
                "uid": diff.uid,
                "status": diff.status,
                "fields": [_field_diff(field) for field in diff.fields],
            }
            for diff in result.schedule
        ],
    }


class ProcessSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.IntegerField(source="instrument_id")
    instrument_title = serializers.CharField(source="instrument.title")
    status = serializers.CharField(help_text="NEW while running, then DONE or CANCELED.")
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField(source="process_id")
    instrument = serializers.SerializerMethodField()
    instrument_title = serializers.SerializerMethodField()
    step = serializers.SerializerMethodField()
    step_title = serializers.SerializerMethodField()
    status = serializers.CharField()
    owner = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    due_on = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_instrument(self, task):
        return task.process.approvalprocess.instrument_id

    @extend_schema_field(OpenApiTypes.STR)
    def get_instrument_title(self, task):
        return task.process.approvalprocess.instrument.title

    @extend_schema_field(OpenApiTypes.STR)
    def get_step(self, task):
        return task.flow_task.name

    @extend_schema_field(OpenApiTypes.STR)
    def get_step_title(self, task):
        return str(task.flow_task.task_title)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner(self, task):
        return _person(task.owner)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organisation(self, task):
        deadline = getattr(task, "deadline", None)
        if deadline is None or deadline.organisation is None:
            return None
        return deadline.organisation.code

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_on(self, task):
        deadline = getattr(task, "deadline", None)
        return deadline.due_on if deadline is not None else None


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField(source="round.process_id")
    instrument = serializers.IntegerField(source="round.instrument_id")
    instrument_title = serializers.CharField(source="round.instrument.title")
    round = serializers.IntegerField(source="round.number")
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    version = serializers.IntegerField(source="round.version_id", help_text="The version sent.")
    deadline = serializers.DateField(source="round.deadline")
    silence_rule = serializers.ChoiceField(source="round.silence_rule", choices=SilenceRule.choices)
    round_closed_at = serializers.DateTimeField(source="round.closed_at", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)
    position = serializers.ChoiceField(
        choices=[("", ""), *Position.choices], help_text="Empty until the organisation answers."
    )
    remarks = serializers.CharField()
    by_silence = serializers.BooleanField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.SerializerMethodField()
    acting_for = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_answered_by(self, consultation):
        return _person(consultation.answered_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acting_for(self, consultation):
        return _person(consultation.acting_for)


class CommentSerializer(serializers.Serializer):
    """A comment and, once the reader may see it, the drafters' answer (else null)."""

    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    organisation = serializers.CharField(source="consultation.organisation.code")
    round = serializers.IntegerField(source="consultation.round.number")
    provision_uid = serializers.UUIDField(allow_null=True)
    provision = serializers.SerializerMethodField()
    text = serializers.CharField()
    author = serializers.SerializerMethodField()
    acting_for = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    disposition = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()
    responded_at = serializers.SerializerMethodField()

    def _answers(self, comment) -> bool:
        return self.context["answers_visible"](comment.consultation.round)

    @extend_schema_field(OpenApiTypes.STR)
    def get_provision(self, comment):
        kind, _sep, number = comment.provision_label.partition(":")
        return provision_label(kind, number, get_language()) if kind else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, comment):
        return _person(comment.author)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acting_for(self, comment):
        return _person(comment.acting_for)

    @extend_schema_field(
        serializers.ChoiceField(choices=[("", ""), *Disposition.choices], allow_null=True)
    )
    def get_disposition(self, comment):
        return comment.disposition if self._answers(comment) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_response(self, comment):
        return comment.response if self._answers(comment) else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_responded_at(self, comment):
        if not self._answers(comment) or comment.responded_at is None:
            return None
        return serializers.DateTimeField().to_representation(comment.responded_at)


class CommentCreateSerializer(serializers.Serializer):
    """Input (for the schema; the service checks it)."""

    text = serializers.CharField(max_length=10000)
    provision_uid = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A provision of the version sent; none for a comment on the whole text.",
    )


class PositionCreateSerializer(serializers.Serializer):
    """Input (for the schema; the service checks it)."""

    position = serializers.ChoiceField(choices=Position.choices)
    remarks = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ResultingTextSerializer(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField()
    deleted = serializers.BooleanField()


class MatrixRowSerializer(serializers.Serializer):
    comment = serializers.IntegerField()
    round = serializers.IntegerField()
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    provision = serializers.CharField()
    text = serializers.CharField()
    disposition = serializers.CharField(allow_null=True)
    response = serializers.CharField(allow_null=True)
    changes = ResultingTextSerializer(many=True)


def matrix_row(row: dict, *, answers: bool) -> dict:
    comment = row["comment"]
    return {
        "comment": comment.pk,
        "round": row["round"],
        "organisation": row["organisation"].code,
        "organisation_name": row["organisation"].name,
        "provision": row["provision"],
        "text": comment.text,
        "disposition": comment.disposition if answers else None,
        "response": comment.response if answers else None,
        "changes": row["changes"] if answers else [],
    }


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    version = serializers.IntegerField(source="version_id")
    version_number = serializers.IntegerField(source="version.number")
    deadline = serializers.DateField()
    silence_rule = serializers.ChoiceField(choices=SilenceRule.choices)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    matrix_published_at = serializers.DateTimeField(allow_null=True)
    consultations = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_consultations(self, consultation_round):
        return [consultation.pk for consultation in consultation_round.consultations.all()]


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField(source="process_id", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)
    action = serializers.CharField()
    actor = serializers.SerializerMethodField()
    acting_for = serializers.SerializerMethodField()
    detail = serializers.JSONField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, entry):
        return _person(entry.actor)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acting_for(self, entry):
        return _person(entry.acting_for)


class SignOffSerializer(serializers.Serializer):
    """What the director-general signed: public, as on ``/verify/<sha256>/``."""

    sha256 = serializers.CharField()
    instrument_type = serializers.CharField(source="instrument.instrument_type.code")
    title_km = serializers.CharField(source="version.snapshot.instrument.title_km")
    title_en = serializers.CharField(source="version.snapshot.instrument.title_en")
    version_number = serializers.IntegerField(source="version.number")
    signed_by = serializers.SerializerMethodField()
    acting_for = serializers.SerializerMethodField()
    signed_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acting_for(self, sign_off):
        return _person(sign_off.acting_for)

    @extend_schema_field(OpenApiTypes.STR)
    def get_signed_by(self, sign_off):
        return _person(sign_off.signed_by)
