"""What can go wrong when people edit instruments, each with a message for the user."""

from django.utils.translation import gettext_lazy as _


class ImmutableVersionError(Exception):
    """Raised on any attempt to change a saved version (the database refuses too)."""


class VersionIntegrityError(Exception):
    """A version's canonical text no longer hashes to its stored SHA-256: it is never handed
    out as the text that was saved or signed."""


class EditConflict(Exception):
    """Someone else saved the same thing since this user opened it.

    Carries the other person's saved object, so that the page can show both texts and the
    user can merge them by hand: nothing is silently overwritten, nothing is lost.
    """

    message = _(
        "Someone else saved this since you opened it. Their text is shown beside yours: "
        "merge the two and save again."
    )

    def __init__(self, current):
        super().__init__(str(self.message))
        self.current = current


class NotEditable(Exception):
    message = _("This instrument cannot be edited at its current stage.")
