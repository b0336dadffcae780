import io

import pytest
from django.core.management import call_command
from wagtail.models import Site

from testimonies import access
from testimonies.levels import Level
from testimonies.models import Excerpt, Theme, Witness
from tests.factories import make_user


def test_seed_collection_shape(seeded):
    assert Excerpt.objects.count() >= 25
    assert Theme.objects.count() >= 12
    public = access.excerpts_visible_to(None)
    assert public.count() >= 20
    kim = Excerpt.objects.get(key="e-kim-ji-min-program-off")
    assert kim.text.startswith("The moment you turn this program off")
    assert kim in public
    assert kim.themes.filter(slug="device-monitoring").exists()
    assert Site.objects.get(is_default_site=True).root_page.specific_class.__name__ == "HomePage"


def test_seed_demonstration_cases_show_each_rule(seeded):
    public = access.excerpts_visible_to(None)
    researcher = access.excerpts_visible_to(make_user("researcher"))
    assert not public.filter(key="demo-e-hrnk-reprisals-researchers").exists()
    assert researcher.filter(key="demo-e-hrnk-reprisals-researchers").exists()
    withdrawn = Witness.objects.get(key="demo-w-logging-worker-russia")
    assert withdrawn.consent_level == Level.WITHDRAWN
    assert not researcher.filter(testimony__witness=withdrawn).exists()
    assert Excerpt.objects.filter(testimony__witness=withdrawn).exists()
    assert not public.filter(key="demo-e-dailynk-reassured-officer-embargoed").exists()
    assert not researcher.filter(key="demo-e-fu-executive-order-draft").exists()
    redacted = public.get(key="demo-e-garment-official-death-redacted")
    assert "[redacted]" in redacted.public_text and "[redacted]" not in redacted.text


def test_seed_is_idempotent_and_demo_accounts_print(seeded):
    out = io.StringIO()
    call_command("seed_archive", "--demo-accounts", stdout=out)
    text = out.getvalue()
    assert "0 were created, 0 were updated" in text
    for username in ("researcher", "archivist", "custodian", "admin"):
        assert username in text
    call_command("seed_archive", "--demo-accounts", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="archivist").count() == 1
    assert access.viewer_for(get_user_model().objects.get(username="lapsed")).rank == Level.PUBLIC
    assert (
        access.viewer_for(get_user_model().objects.get(username="researcher")).rank
        == Level.RESEARCHERS
    )


@pytest.mark.django_db
def test_demo_accounts_are_refused_outside_development(settings):
    from django.core.management.base import CommandError

    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_archive", "--demo-accounts", stdout=io.StringIO())


def test_sector_names_read_well(seeded):
    from testimonies.models import Sector

    assert Sector.objects.get(slug="it").name == "IT"
