"""A Word draft (DOCX) read into an instrument's plain structure, nothing written.

``read_docx`` refuses what is not a DOCX it can safely open (``check_file``: its size, its
kind, its zip's sizes before anything is inflated), then reads the body in order as the text
after tracked changes (``w:ins`` kept, ``w:del`` dropped) and places each line:

- the title: the line(s) after "ស្ដីពី", else a paragraph in Word's Title style;
- the preamble: lines opening with "បានឃើញ", "តាមសំណើ"… before the text;
- parts, chapters, sections, articles, paragraphs and annexes by their label ("ជំពូកទី ១",
  "ជំពូក1", "មាត្រា ៣.-", "មាត្រា 3៖", "ផ្នែកទី២"…, Khmer or Latin digits, with or without a
  space), or by Word's heading style when a heading has no label (Heading 1: a chapter, 2: a
  section, 3: an article, as ``export_docx`` writes them). The numbers are dropped: Lekhit
  computes them (``documents.numbering``). A label alone on its line takes the next line as
  its heading; the words after an article's label are its heading when short and not a
  sentence ("…។"), else its text. An article's one body line is its text; several are its
  paragraphs;
- a table whose heading row names the schedule's columns: the transfer schedule;
- the layout Lekhit prints itself (the national heading, the reference number, the type's
  title and deciding words, the date lines, the signer): left out, listed as such;
- anything else: listed as not placed, for the drafter to see before confirming.

Text typed in a legacy Khmer font (Limon, ABC…: Khmer glyphs on Latin letters) would come in
as gibberish: it is refused, with the font's name.
"""

import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from khmer.formats import format_number

MAX_FILE_SIZE = 20 * 1024 * 1024
"""The largest DOCX taken, in bytes (uploads and the command)."""
MAX_UNCOMPRESSED_SIZE = 100 * 1024 * 1024
"""The most the zip's members may inflate to, all together."""
MAX_COMPRESSION_RATIO = 100
"""A zip inflating more than this many times its size (beyond a few megabytes) is a bomb."""
MAX_MEMBERS = 2000

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

# Legacy (non-Unicode) Khmer fonts: Khmer glyphs drawn on Latin code points.
LEGACY_FONT_PREFIXES = ("limon", "abc-", "abc ", "abc_", "khmer os legacy", "kh system")

_DIGITS = r"[0-9០-៩]+"
_SEPARATOR = r"\s*(?:\.\s*[-–—]|[-–—]|៖|:|\.|។)?\s*"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def _label(word: str, *, number_required: bool = True) -> re.Pattern:
    number = f"(?:ទី\\s*)?{_DIGITS}" if number_required else f"(?:(?:ទី\\s*)?{_DIGITS})?"
    return re.compile(f"^{word}\\s*{number}{_SEPARATOR}(?P<rest>.*)$", re.S)


LABELS = [
    ("part", _label("ភាគ")),
    ("chapter", _label("ជំពូក")),
    ("section", _label("ផ្នែក")),
    ("article", _label("មាត្រា")),
    ("paragraph", _label("កថាខណ្ឌ")),
    ("annex", _label("ឧបសម្ព័ន្ធ", number_required=False)),
]
PREAMBLE_OPENINGS = ("បានឃើញ", "តាមសំណើ", "យោងតាម", "បានពិនិត្យ")
ON_WORDS = {"ស្ដីពី", "ស្តីពី", "ស្ដីអំពី", "ស្តីអំពី"}
NATIONAL_HEADING = {"ព្រះរាជាណាចក្រកម្ពុជា", "ជាតិ សាសនា ព្រះមហាក្សត្រ", "ជាតិសាសនាព្រះមហាក្សត្រ"}
CLOSING_OPENINGS = ("ធ្វើនៅ", "កន្លែងទទួល")
HEADING_KINDS = {1: "chapter", 2: "section", 3: "article"}
CONTAINER_KINDS = {"part", "chapter", "section", "annex"}
ARTICLE_HEADING_MAX = 100


@dataclass
class Parsed:
    """What was found: the title, the provisions in document order (each with the index of
    its parent in the list, or None), the schedule rows as written, and the lines left out
    (``skipped``: the layout Lekhit prints itself) or not placed (``unplaced``)."""

    title: str = ""
    provisions: list[dict] = field(default_factory=list)
    schedule: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# --- The file ------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return format_number(round(size / (1024 * 1024)))


def too_large() -> str:
    return _("The file is too large: at most %(limit)s MB.") % {"limit": _megabytes(MAX_FILE_SIZE)}


def check_file(data: bytes) -> zipfile.ZipFile:
    """The DOCX's zip, or a ``ValidationError`` saying what is wrong with the file. Sizes are
    read from the zip's directory, before anything is inflated."""
    if len(data) > MAX_FILE_SIZE:
        raise ValidationError(too_large())
    if data.startswith(OLE_SIGNATURE):
        raise ValidationError(
            _(
                "This file is password-protected, or an old Word document (.doc): open it in "
                "Word, remove the password and save it as a Word document (.docx)."
            )
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise ValidationError(
            _("This is not a Word document (.docx). Save it from Word as .docx and try again.")
        )
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError(_corrupt()) from None
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > MAX_MEMBERS
        or total > MAX_UNCOMPRESSED_SIZE
        or (total > 4 * 1024 * 1024 and total / packed > MAX_COMPRESSION_RATIO)
    ):
        raise ValidationError(
            _("This file would unpack to far more than a Word document holds: it is refused.")
        )
    names = {member.filename for member in members}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise ValidationError(
            _("This is not a Word document (.docx). Save it from Word as .docx and try again.")
        )
    return archive


def _corrupt() -> str:
    return _("This Word document is damaged and cannot be read. Open it in Word and save it again.")


def read_docx(data: bytes, *, known_words=()) -> Parsed:
    """The structure of the DOCX ``data``; ``known_words``: lines of the layout to leave out
    (the instrument types' title, deciding and signer words)."""
    import docx  # python-docx, only when a file is read

    check_file(data)
    try:
        document = docx.Document(BytesIO(data))
    except Exception:  # python-docx raises whatever lxml or zipfile raised  # noqa: BLE001
        raise ValidationError(_corrupt()) from None
    legacy = _legacy_fonts(document)
    if legacy:
        raise ValidationError(
            _(
                "This document is typed in the legacy Khmer font %(fonts)s, whose letters are "
                "not Unicode Khmer: it would come in as gibberish. Convert it to Unicode (a "
                "font such as Khmer OS or Noto Serif Khmer) and try again."
            )
            % {"fonts": ", ".join(f"“{name}”" for name in legacy)}
        )
    return Reader(known_words=known_words).read(_blocks(document))


# --- Text after tracked changes ------------------------------------------------------------


def _runs(element):
    """The runs of ``element`` that stand in the text after its tracked changes."""
    return element.xpath(".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)]")


def _run_text(run) -> str:
    pieces = []
    for child in run.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "t":
            pieces.append(child.text or "")
        elif tag == "tab":
            pieces.append(" ")
        elif tag in ("br", "cr"):
            pieces.append("\n")
    return "".join(pieces)


def paragraph_text(element) -> str:
    return "".join(_run_text(run) for run in _runs(element))


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE)).strip()


def _style_name(paragraph) -> str:
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _heading_level(style: str) -> int | None:
    if style == "Title":
        return 0
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def _blocks(document):
    """The body in order: ("p", text, heading level or None) and ("table", rows)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            yield ("p", paragraph_text(child), _heading_level(_style_name(paragraph)))
        elif tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    text = "\n".join(paragraph_text(p._p) for p in cell.paragraphs)
                    cells.append(_clean(text))
                rows.append(cells)
            yield ("table", rows)
        elif tag == "sdt":  # a content control: its paragraphs, in order
            for p in child.xpath(".//w:p"):
                yield ("p", paragraph_text(p), None)


# --- Legacy fonts ---------------------------------------------------------------------------


def _is_legacy(name: str | None) -> bool:
    return bool(name) and name.strip().lower().startswith(LEGACY_FONT_PREFIXES)


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if not c.isspace() and not c.isdigit()]
    if len(letters) < 2:
        return False
    latin = sum(1 for c in letters if c.isascii() or "\u00a0" <= c <= "\u024f")
    return latin / len(letters) >= 0.6


def _fonts_of(properties) -> list[str]:
    if properties is None:
        return []
    found = []
    for fonts in properties.findall(f"{{{W}}}rFonts"):
        for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
            name = fonts.get(f"{{{W}}}{slot}")
            if name:
                found.append(name)
    return found


def _legacy_fonts(document) -> list[str]:
    """The legacy Khmer fonts that carry text of mostly Latin letters: a run's own font, or
    its paragraph style's, or the document's default."""
    style_fonts: dict[str, list[str]] = {}
    for style in document.styles.element.findall(f"{{{W}}}style"):
        style_id = style.get(f"{{{W}}}styleId")
        style_fonts[style_id] = _fonts_of(style.find(f"{{{W}}}rPr"))
    defaults = document.styles.element.find(f"{{{W}}}docDefaults")
    default_fonts = []
    if defaults is not None:
        default_fonts = _fonts_of(defaults.find(f"{{{W}}}rPrDefault/{{{W}}}rPr"))
    found: list[str] = []
    for paragraph in document.element.body.iter(f"{{{W}}}p"):
        style = paragraph.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        paragraph_fonts = style_fonts.get(style.get(f"{{{W}}}val"), []) if style is not None else []
        for run in _runs(paragraph):
            fonts = _fonts_of(run.find(f"{{{W}}}rPr")) or paragraph_fonts or default_fonts
            legacy = [name for name in fonts if _is_legacy(name)]
            if legacy and _mostly_latin(_run_text(run)):
                for name in legacy:
                    if name not in found:
                        found.append(name)
    return found


# --- Placing the lines ---------------------------------------------------------------------


def _layout_words() -> set[str]:
    """The lines of the official layout, in each language (``export_docx`` writes them)."""
    words = set(NATIONAL_HEADING) | {"សម្រេច", "ប្រកាស"}
    for language in ("km", "en"):
        with translation.override(language):
            words |= {
                _("Kingdom of Cambodia"),
                _("Nation Religion King"),
                _("No. ……………"),
                pgettext("deciding word", "Decides"),
                _("Transfer schedule"),
            }
    return {_squash(word) for word in words}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", _clean(text)).casefold()


def _is_ornament(text: str) -> bool:
    return not any(unicodedata.category(c)[0] in "LN" for c in text)


class Reader:
    """Places lines one by one; its state is where the last provision stands."""

    def __init__(self, *, known_words=()):
        self.parsed = Parsed()
        self.layout = _layout_words() | {_squash(w) for w in known_words if w and w.strip()}
        self.in_body = False  # a part, chapter, article… or the preamble has begun
        self.closing = False  # past "ធ្វើនៅ…": the date and signer lines
        self.awaiting_title = False  # just after "ស្ដីពី"
        self.current: dict[str, int | None] = dict.fromkeys(
            ("part", "chapter", "section", "article", "annex")
        )
        self.awaiting_heading: int | None = None  # a label alone on its line
        self.article_lines: list[str] = []

    # --- the result

    def read(self, blocks) -> Parsed:
        for block in blocks:
            if block[0] == "table":
                self._table(block[1])
                continue
            _kind, text, level = block
            lines = [_clean(line) for line in text.split("\n")]
            lines = [line for line in lines if line]
            for n, line in enumerate(lines):
                self._line(line, level if n == 0 else None)
        self._close_article()
        return self.parsed

    def _add(self, kind: str, parent: int | None, heading: str = "", text: str = "") -> int:
        self.parsed.provisions.append(
            {"kind": kind, "parent": parent, "heading_km": heading, "text_km": text}
        )
        return len(self.parsed.provisions) - 1

    # --- one line

    def _line(self, line: str, level: int | None) -> None:
        squashed = _squash(line)
        match = self._label(line)
        if match is None and level == 0 and not self.parsed.title:
            self.parsed.title = line
            return
        if (
            self.awaiting_title
            and match is None
            and squashed not in self.layout
            and not line.startswith(PREAMBLE_OPENINGS)
        ):
            self.parsed.title = f"{self.parsed.title} {line}".strip()
            return
        self.awaiting_title = False
        if match is None and self.awaiting_heading is not None:
            provision = self.parsed.provisions[self.awaiting_heading]
            provision["heading_km"] = line
            self.awaiting_heading = None
            return
        self.awaiting_heading = None
        if match is not None:
            kind, rest = match
            if kind == "annex" or not self.closing:
                self._labelled(kind, rest, line)
                return
        if squashed in ON_WORDS:
            self.awaiting_title = not self.parsed.title
            self.parsed.skipped.append(line)
            return
        if squashed in self.layout or _is_ornament(line) or self._is_reference(line):
            self.parsed.skipped.append(line)
            return
        if level in HEADING_KINDS and not self.closing:
            self._labelled(HEADING_KINDS[level], line, line, from_style=True)
            return
        if line.startswith(CLOSING_OPENINGS) or self._is_lunar_date(line):
            self._close_article()
            self.closing = True
            self.parsed.skipped.append(line)
            return
        if self.closing and self.current["annex"] is None:
            self.parsed.skipped.append(line)
            return
        if line.startswith(PREAMBLE_OPENINGS) and not self._has_text():
            self.in_body = True
            self._add("preamble_item", None, text=line)
            return
        self._body_line(line)

    def _label(self, line: str):
        for kind, pattern in LABELS:
            found = pattern.match(line)
            if found:
                return kind, found.group("rest").strip()
        return None

    @staticmethod
    def _is_reference(line: str) -> bool:
        """The reference number line ("លេខ ០១ អនក.បក", "No. ……")."""
        return len(line) < 60 and re.match(r"^(?:លេខ|No\.)\s*[0-9០-៩…\.]", line) is not None

    @staticmethod
    def _is_lunar_date(line: str) -> bool:
        return line.startswith("ថ្ងៃ") and ("ព.ស" in line or "ស័ក" in line)

    def _has_text(self) -> bool:
        return any(p["kind"] != "preamble_item" for p in self.parsed.provisions)

    # --- provisions

    def _labelled(self, kind: str, rest: str, line: str, *, from_style: bool = False) -> None:
        current = self.current
        if kind != "annex" and self.closing and current["annex"] is None:
            self.parsed.skipped.append(line)
            return
        self.in_body = True
        self._close_article()
        if kind == "paragraph":
            if current["article"] is None:
                self.parsed.unplaced.append(line)
                return
            self._add("paragraph", current["article"], text=rest)
            return
        if kind == "article":
            holders = ("section", "chapter", "part", "annex")
            parent = next((current[k] for k in holders if current[k] is not None), None)
            heading, text = "", ""
            if from_style or (rest and len(rest) <= ARTICLE_HEADING_MAX and not rest.endswith("។")):
                heading = rest
            else:
                text = rest
            current["article"] = self._add("article", parent, heading=heading, text=text)
            return
        if kind == "section":
            if current["chapter"] is None:
                self.parsed.unplaced.append(line)
                return
            parent = current["chapter"]
        elif kind == "chapter":
            parent = current["part"] if current["annex"] is None else None
            if current["annex"] is not None:
                self.parsed.unplaced.append(line)
                return
        else:  # part, annex: at the top
            parent = None
        index = self._add(kind, parent, heading=rest)
        current["article"] = None
        if kind == "part":
            current.update(part=index, chapter=None, section=None, annex=None)
        elif kind == "chapter":
            current.update(chapter=index, section=None)
        elif kind == "section":
            current["section"] = index
        elif kind == "annex":
            current.update(annex=index, part=None, chapter=None, section=None)
            self.closing = False
        if not rest:
            self.awaiting_heading = index

    def _body_line(self, line: str) -> None:
        current = self.current
        if current["article"] is not None:
            article = self.parsed.provisions[current["article"]]
            has_paragraphs = any(
                p["kind"] == "paragraph" and p["parent"] == current["article"]
                for p in self.parsed.provisions[current["article"] :]
            )
            if has_paragraphs:
                self._add("paragraph", current["article"], text=line)
            elif article["text_km"] and not self.article_lines:
                self.article_lines = [article["text_km"], line]
                article["text_km"] = ""
            else:
                self.article_lines.append(line)
            return
        if current["annex"] is not None:
            annex = self.parsed.provisions[current["annex"]]
            annex["text_km"] = f"{annex['text_km']}\n{line}".strip()
            return
        self.parsed.unplaced.append(line)

    def _close_article(self) -> None:
        """An article's body lines: one is its text, several its paragraphs."""
        index = self.current["article"]
        lines, self.article_lines = self.article_lines, []
        if index is None or not lines:
            return
        if len(lines) == 1:
            self.parsed.provisions[index]["text_km"] = lines[0]
        else:
            for line in lines:
                self._add("paragraph", index, text=line)

    # --- tables

    def _table(self, rows: list[list[str]]) -> None:
        self._close_article()
        if not rows:
            return
        columns = schedule_columns(rows[0])
        if columns is None:
            for row in rows:
                line = " | ".join(cell for cell in row if cell)
                if line:
                    self.parsed.unplaced.append(line)
            return
        for row in rows[1:]:
            values = {name: row[i] if i < len(row) else "" for i, name in columns.items()}
            if any(values.values()):
                self.parsed.schedule.append(values)


def _column_names() -> dict[str, str]:
    """Each schedule column's name, squashed, in each language: its field."""
    from documents.views import SCHEDULE_COLUMNS

    names = {}
    for language in ("km", "en"):
        with translation.override(language):
            for name, label in SCHEDULE_COLUMNS:
                names[_squash(str(label))] = name
    return names


REQUIRED_COLUMNS = {"function_km", "from_ministry", "level"}


def schedule_columns(header: list[str]) -> dict[int, str] | None:
    """Which field each column of a table holds, if its heading row is the transfer
    schedule's (it names at least the function, the ministry and the level); else None."""
    known = _column_names()
    columns = {i: known[_squash(cell)] for i, cell in enumerate(header) if _squash(cell) in known}
    if not set(columns.values()) >= REQUIRED_COLUMNS:
        return None
    return columns
