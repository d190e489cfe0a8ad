"""``manage.py instrument_export <id> --version N|draft --format docx|pdf -o FILE``: an
instrument's text in the official layout, for the office's archive or a script. Run by the
server's administrator, so no person's rights are asked."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents import export_docx, export_pdf, official
from documents.models import Instrument, Version

# Each format the command writes: the function writing it from an ``official.Export``.
WRITERS = {"docx": export_docx.instrument_docx, "pdf": export_pdf.instrument_pdf}


class Command(BaseCommand):
    help = "Write an instrument's version (or its working draft) as a file in the official layout."

    def create_parser(self, prog_name, subcommand, **kwargs):
        """``--version`` names the instrument's version here, not the command's (Django's
        own ``--version`` gives way)."""
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("instrument", type=int, help="the instrument's id")
        parser.add_argument(
            "--version", default="draft", help="the version's number, or draft (the default)"
        )
        parser.add_argument("--format", dest="file_format", default="docx", help="docx or pdf")
        parser.add_argument("--language", choices=["km", "en"], default="km")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, instrument, version, file_format, language, output, **options):
        writer = WRITERS.get(file_format)
        if writer is None:
            raise CommandError(
                f"--format {file_format}: only {', '.join(sorted(WRITERS))} can be written yet."
            )
        found = Instrument.objects.select_related("instrument_type").filter(pk=instrument).first()
        if found is None:
            raise CommandError(f"No instrument has the id {instrument}.")
        chosen = None
        if version != "draft":
            if not (version.isascii() and version.isdigit()):
                raise CommandError(f"--version {version}: give a version's number, or draft.")
            chosen = (
                Version.objects.select_related("created_by")
                .filter(instrument=found, number=int(version))
                .first()
            )
            if chosen is None:
                raise CommandError(f"Instrument {instrument} has no version {version}.")
        kept = export_pdf.kept_pdf(chosen) if file_format == "pdf" and language == "km" else None
        if kept is not None:  # a signed version: the PDF kept at its signature
            Path(output).write_bytes(kept)
        else:
            export = official.export_of(instrument=found, version=chosen)
            Path(output).write_bytes(writer(export, language=language))
        self.stdout.write(f"Wrote {output}")
