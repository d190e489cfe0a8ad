from django.urls import reverse

from documents import services
from documents.models import InstrumentType
from organisations.models import Organisation


def make(demo):
    return services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាសស្តីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


def post(client, instrument, **changes):
    data = {
        "instrument_type": instrument.instrument_type_id,
        "title_km": instrument.title_km,
        "title_en": "",
        "owning_office": instrument.owning_office_id,
        "sector": "",
        "lock_version": 0,
        **changes,
    }
    return client.post(reverse("documents:details", args=[instrument.pk]), data)


def test_a_drafter_changes_the_details_and_adds_a_co_drafter(demo, client):
    instrument = make(demo)
    client.force_login(demo["drafter"])
    response = post(client, instrument, title_km="ប្រកាសថ្មី", sector="អប់រំ")
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert (instrument.title_km, instrument.sector, instrument.lock_version) == (
        "ប្រកាសថ្មី",
        "អប់រំ",
        1,
    )


def test_two_drafters_saving_the_details_do_not_overwrite_each_other(demo, client):
    instrument = make(demo)
    client.force_login(demo["drafter"])
    assert post(client, instrument, title_km="ចំណងជើងទីមួយ").status_code == 302
    response = post(client, instrument, title_km="ចំណងជើងទីពីរ")  # still at edit counter 0
    assert response.status_code == 200
    body = response.content.decode()
    assert "ចំណងជើងទីមួយ" in body and "ចំណងជើងទីពីរ" in body  # both texts shown
    instrument.refresh_from_db()
    assert instrument.title_km == "ចំណងជើងទីមួយ"
    assert response.context["form"]["lock_version"].value() == 1  # the next save goes through


def test_only_drafters_may_change_the_details(demo, client):
    instrument = make(demo)
    client.force_login(demo["chief"])
    assert post(client, instrument, title_km="x").status_code == 403
