from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from documents.demo import instrument_types_seed
from organisations.demo import DEMO_PASSWORD, organisations_seed, users_seed
from organisations.roles import role_label


class Command(BaseCommand):
    help = _("Create (or update) the demo organisations, instrument types and one user a role.")

    def handle(self, *args, **options):
        from workflows.demo_announcements import announcements_seed
        from workflows.demo_portfolio import portfolio_seed

        with transaction.atomic():
            organisations = organisations_seed()
            instrument_types_seed()
            users = users_seed(organisations=organisations)
        # A few instruments under way, so that each person's bell has something in it.
        announcements_seed()
        # A signed transfer schedule, for the dashboard and the transfer tracker.
        portfolio_seed()
        self.stdout.write(
            self.style.SUCCESS(_("Demo data is ready. Logins (password: %s):") % DEMO_PASSWORD)
        )
        for user in users:
            # In the language the rest is printed in: the roles' and the organisation's names.
            roles = ", ".join(sorted(map(role_label, user.role_names()))) or _("(supervisor)")
            self.stdout.write(f"  {user.username:<15} {roles} — {user.organisation.name}")
