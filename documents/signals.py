"""What the documents app announces to the apps above it, which it does not know.

``draft_written``: a path wrote the working draft's provisions or schedule rows in bulk (the
import of a Word draft), so no ``post_save`` was sent for each row. Sent in the writing
transaction, with ``instrument``; the search index rebuilds the draft's entries from it.
"""

from django.dispatch import Signal

draft_written = Signal()
