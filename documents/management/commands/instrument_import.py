"""``manage.py instrument_import FILE --type CODE --office CODE --drafter USERNAME
[--dry-run]``: a Word draft from the office's archive as a new instrument.

Prints the structure found (each provision with its computed label), the schedule rows, and
every line left out or not placed; with ``--dry-run`` creates nothing. The instrument is
created as the drafter's, through the same service as the upload page
(``documents.imports.instrument_import``): the drafter must be one the policy lets create
instruments.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from documents import imports
from documents.import_docx import MAX_FILE_SIZE
from documents.models import InstrumentType
from organisations.models import Organisation, User


class Command(BaseCommand):
    help = "Create an instrument from a Word draft (.docx); --dry-run only prints what it found."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .docx file")
        parser.add_argument("--type", dest="type_code", required=True, help="instrument type code")
        parser.add_argument("--drafter", required=True, help="the lead drafter's username")
        parser.add_argument(
            "--office", help="owning office's code (default: the drafter's own office)"
        )
        parser.add_argument("--title", default="", help="the Khmer title, if not the file's")
        parser.add_argument("--dry-run", action="store_true", help="print, create nothing")

    def handle(self, *args, file, type_code, drafter, office, title, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        if path.stat().st_size > MAX_FILE_SIZE:
            raise CommandError(f"{file}: larger than {MAX_FILE_SIZE >> 20} MB.")
        instrument_type = InstrumentType.objects.filter(code=type_code).first()
        if instrument_type is None:
            codes = ", ".join(InstrumentType.objects.values_list("code", flat=True))
            raise CommandError(f"--type {type_code}: no such instrument type ({codes}).")
        user = User.objects.select_related("organisation").filter(username=drafter).first()
        if user is None:
            raise CommandError(f"--drafter {drafter}: no such user.")
        if office:
            owning_office = Organisation.objects.filter(code=office).first()
            if owning_office is None:
                raise CommandError(f"--office {office}: no such organisation.")
        else:
            owning_office = user.organisation
            if owning_office is None:
                raise CommandError(f"{drafter} belongs to no office: give --office.")
        with translation.override("en"):
            try:
                structure = imports.draft_structure(path.read_bytes())
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self._print(structure)
            if dry_run:
                self.stdout.write("Dry run: nothing created.")
                return
            try:
                instrument = imports.instrument_import(
                    user=user,
                    instrument_type=instrument_type,
                    owning_office=owning_office,
                    structure=structure,
                    title_km=title,
                )
            except (ValidationError, PermissionDenied) as error:
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                raise CommandError(" ".join(messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created instrument {instrument.pk}."))

    def _print(self, structure: dict) -> None:
        write = self.stdout.write
        write(f"Title: {structure['title'] or '(none found: give --title)'}")
        for row in imports.outline(structure, "km"):
            label = row["label"] or row["kind"]
            words = " — ".join(part for part in (row["heading"], row["text"]) if part)
            write(f"{'  ' * row['depth']}{label} {words}".rstrip())
        write(f"Schedule rows: {len(structure['schedule'])}")
        for row in structure["schedule"]:
            write(f"  {row['function_km']} | {row['from_ministry']} | {row['level']}")
        write(f"Left out (the layout Lekhit prints): {len(structure['skipped'])}")
        for line in structure["skipped"]:
            write(f"  {line}")
        write(f"Not placed: {len(structure['unplaced'])}")
        for line in structure["unplaced"]:
            write(f"  {line}")
