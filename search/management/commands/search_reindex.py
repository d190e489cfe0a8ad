"""Write the search index again from everything searchable (after a bulk import, or to
check that the index holds what the text says)."""

from django.core.management.base import BaseCommand

from search.indexing import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index from the instruments, versions and comments."

    def handle(self, *args, **options):
        written = reindex_all()
        self.stdout.write(f"search index: {written} entries")
