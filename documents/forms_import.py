"""Forms of the "Import from Word" pages: they parse and validate; ``documents.imports``
reads the file and writes."""

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from documents.forms import InstrumentCreateForm
from documents.import_docx import MAX_FILE_SIZE, too_large
from khmer.formats import format_number
from khmer.text import typed_text

SIGNING_SALT = "documents.import"
PREVIEW_MAX_AGE = 2 * 60 * 60
"""Seconds a preview stays valid: the drafter reads it, then confirms."""
PAYLOAD_MAX = 2 * 1024 * 1024
"""The signed structure, at most: the confirming POST carries it back (compressed), and
Django refuses a form body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default)."""


class ImportUploadForm(InstrumentCreateForm):
    """The type, the office, the file; the titles only to override (or supply) the one read
    from the file. The offices offered are the creation page's."""

    file = forms.FileField(
        label=_("Word document (.docx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document"
            }
        ),
    )

    field_order = ["instrument_type", "owning_office", "file", "title_km", "title_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["sector"], self.fields["co_drafters"]
        self.fields["title_km"].required = False
        self.fields["title_km"].help_text = _("Blank: the title written in the document.")
        self.fields["file"].help_text = _("At most %(limit)s MB.") % {
            "limit": format_number(MAX_FILE_SIZE >> 20)
        }

    def clean_title_km(self):
        return typed_text(self.cleaned_data["title_km"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(too_large())
        return upload


def sign(payload: dict) -> str:
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


class ImportConfirmForm(forms.Form):
    """The structure the preview showed, signed by the server for this person: what the
    browser sends back cannot have been changed, nor be another person's."""

    payload = forms.CharField(widget=forms.HiddenInput, max_length=PAYLOAD_MAX, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_payload(self):
        try:
            payload = signing.loads(
                self.cleaned_data["payload"], salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _("This preview is too old: upload the file again."), code="expired"
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This preview cannot be used: upload the file again."), code="invalid"
            ) from None
        if not isinstance(payload, dict) or payload.get("user") != self.user.pk:
            raise forms.ValidationError(
                _("This preview cannot be used: upload the file again."), code="invalid"
            )
        return payload
