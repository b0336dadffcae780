"""`python manage.py grant_role`: the command-line way to give and take roles."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from testimonies.access import viewer_for
from testimonies.levels import STAFF_RANK, Level
from testimonies.models import ResearchGrant
from tests.factories import make_user


def run(*args):
    out = io.StringIO()
    call_command("grant_role", *args, stdout=out)
    return out.getvalue()


def test_grant_researcher_with_a_default_year(db):
    user = make_user("signed_in", username="mina")
    out = run("mina", "researcher")
    grant = ResearchGrant.objects.get(user=user)
    assert grant.expires_on == timezone.localdate() + dt.timedelta(days=365)
    assert f"until {grant.expires_on}" in out
    assert viewer_for(user).rank == Level.RESEARCHERS


def test_grant_researcher_until_a_date(db):
    user = make_user("signed_in", username="mina")
    until = timezone.localdate() + dt.timedelta(days=10)
    run("mina", "researcher", "--until", until.isoformat())
    assert ResearchGrant.objects.get(user=user).expires_on == until


def test_grant_until_a_past_date_gives_no_access(db):
    user = make_user("signed_in", username="mina")
    run("mina", "researcher", "--until", "2001-01-01")
    assert not viewer_for(user).is_researcher


@pytest.mark.parametrize("role", ["archivist", "custodian"])
def test_grant_staff_roles(db, role):
    user = make_user("signed_in", username="sam")
    assert f"sam is now a {role}." in run("sam", role)
    assert viewer_for(user).rank == STAFF_RANK
    assert viewer_for(user).is_custodian == (role == "custodian")
    assert not ResearchGrant.objects.exists()


def test_revoke_researcher_takes_effect_at_once(db):
    user = make_user("researcher", username="mina")
    assert viewer_for(user).is_researcher
    assert "no longer a researcher" in run("mina", "researcher", "--revoke")
    assert not viewer_for(user).is_researcher
    assert ResearchGrant.objects.get(user=user).revoked_at is not None
    assert not user.groups.filter(name="Researchers").exists()


def test_revoke_archivist(db):
    user = make_user("archivist", username="sam")
    run("sam", "archivist", "--revoke")
    assert not viewer_for(user).is_staff


def test_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user is called 'ghost'"):
        run("ghost", "researcher")


@pytest.mark.parametrize("value", ["31-12-2030", "2030-02-30", "soon"])
def test_bad_date_is_a_clear_error_and_changes_nothing(db, value):
    user = make_user("signed_in", username="mina")
    with pytest.raises(CommandError, match="is not a date of the form YYYY-MM-DD"):
        run("mina", "researcher", "--until", value)
    assert not ResearchGrant.objects.exists()
    assert not user.groups.exists()


def test_unknown_role_is_refused(db):
    make_user("signed_in", username="mina")
    with pytest.raises(CommandError):
        run("mina", "overlord")
