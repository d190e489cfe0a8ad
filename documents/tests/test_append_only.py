"""Append-only tables refuse row changes, yet a whole-database flush still empties them."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from documents import services
from documents.models import InstrumentType, Provision, Version
from organisations.models import Organisation


@pytest.mark.django_db(transaction=True)
def test_flush_empties_versions_that_nothing_else_may_delete(demo):
    drafter = demo["drafter"]
    instrument = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាសសាកល្បង",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    services.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.ARTICLE, text_km="ក"
    )
    services.version_create(instrument=instrument, user=drafter, label="v1")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM documents_version")
    assert Version.objects.count() == 1

    call_command("flush", interactive=False, verbosity=0)
    assert Version.objects.count() == 0
    assert not getattr(connection, "lekhit_purging", False)
