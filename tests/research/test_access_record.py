"""Every restricted read is appended to the access record; archivists browse, filter and
export it in the admin; nobody changes it, and on PostgreSQL the table itself refuses."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from testimonies.models import AccessRecord
from testimonies.services import access_record_add
from tests.factories import make_user


def actions():
    return list(AccessRecord.objects.order_by("pk").values_list("action", flat=True))


def test_each_restricted_read_by_a_researcher_is_recorded(rows, as_role):
    client, user = as_role("researcher")
    client.get(reverse("research:search"), {"q": "zebra", "country": ""})
    tid = rows.public_t.public_id
    client.get(reverse("research:testimony", args=[tid]))
    client.get(reverse("research:testimony_export", args=[tid, "csv"]))
    client.get(reverse("research:search_export", args=["json"]), {"q": "zebra"})
    assert actions() == [
        "research.search",
        "research.testimony.view",
        "research.export.testimony",
        "research.export.search",
    ]
    search, view, export, search_export = AccessRecord.objects.order_by("pk")
    assert search.user == user and search.username == user.username
    assert search.query["q"] == "zebra" and search.query["excerpts"] == 3
    assert search.ip_address == "127.0.0.1"
    assert view.object_type == "testimony" and view.object_ref == tid
    assert export.object_ref == tid and export.query == {"format": "csv"}
    assert search_export.query["format"] == "json"


def test_filters_are_recorded_with_the_search(rows, as_role):
    client, _ = as_role("researcher")
    client.get(reverse("research:search"), {"q": "zebra", "theme": "wages"})
    (entry,) = AccessRecord.objects.all()
    assert entry.query["filters"] == {"theme": "wages"}


def test_an_archivists_export_is_recorded(rows, as_role):
    client, user = as_role("archivist")
    client.get(reverse("research:search_export", args=["csv"]), {"q": "zebra"})
    (entry,) = AccessRecord.objects.all()
    assert entry.action == "research.export.search" and entry.user == user


def test_refused_and_empty_requests_write_nothing(rows, as_role):
    client, _ = as_role("signed_in")
    client.get(reverse("research:search"), {"q": "zebra"})
    client.get(reverse("research:testimony", args=[rows.public_t.public_id]))
    researcher, _ = as_role("researcher")
    researcher.get(reverse("research:search"))  # the empty search form reads nothing
    researcher.get(reverse("research:testimony", args=[rows.archive_t.public_id]))  # 404
    assert actions() == []


def admin_list_url():
    return reverse("wagtailsnippets_testimonies_accessrecord:list")


def listed(client, **params):
    """The rows of the admin listing (not the filter form beside them)."""
    page = client.get(admin_list_url(), params).content.decode()
    if 'class="listing' not in page:
        return ""
    table = page.split('class="listing', 1)[1]
    return table.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in table else ""


def test_archivists_browse_and_filter_the_record(rows, as_role):
    someone = make_user("researcher", username="ada")
    access_record_add(user=someone, action="research.search", query={"q": "wages"})
    access_record_add(user=someone, action="research.testimony.view", obj=rows.public_t)
    client, _ = as_role("archivist")
    table = listed(client)
    assert "research.search" in table and "research.testimony.view" in table
    table = listed(client, action="research.search")
    assert "research.search" in table and rows.public_t.public_id not in table
    table = listed(client, object_ref=rows.public_t.public_id)
    assert rows.public_t.public_id in table and "research.search" not in table
    assert "ada" in listed(client, username="ada")
    assert "ada" not in listed(client, username="nobody")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "ada" not in listed(client, at_from=tomorrow)
    assert "ada" in listed(client, at_to=tomorrow)


def test_archivists_export_the_record_as_csv_and_the_export_is_recorded(rows, as_role):
    someone = make_user("researcher", username="ada")
    access_record_add(user=someone, action="research.search", query={"q": "wages"})
    access_record_add(user=someone, action="research.testimony.view", obj=rows.public_t)
    client, archivist = as_role("archivist")
    response = client.get(admin_list_url(), {"export": "csv", "action": "research.search"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    records = list(csv.DictReader(io.StringIO(body)))
    assert [r["Action"] for r in records] == ["research.search"]
    assert records[0]["Username"] == "ada" and "wages" in records[0]["Query"]
    entry = AccessRecord.objects.order_by("-pk").first()
    assert entry.action == "accessrecord.export" and entry.user == archivist
    assert entry.query == {"format": "csv", "filters": {"action": "research.search"}}


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "researcher"])
def test_non_staff_never_reach_the_record_or_its_export(db, as_role, role):
    access_record_add(user=None, action="research.search", query={"q": "secretquery"})
    client, _ = as_role(role)
    response = client.get(admin_list_url(), {"export": "csv"})
    assert response.status_code in (302, 404)
    content = b"" if response.streaming else response.content
    assert b"secretquery" not in content
    assert AccessRecord.objects.count() == 1


@pytest.mark.parametrize("view", ["edit", "delete"])
def test_nobody_edits_or_deletes_entries_in_the_admin(db, as_role, view):
    entry = access_record_add(user=None, action="research.search")
    client, _ = as_role("superuser")
    url = reverse(f"wagtailsnippets_testimonies_accessrecord:{view}", args=[entry.pk])
    assert client.get(url).status_code in (302, 403, 404)
    client.post(url, {"action": "changed"})
    assert AccessRecord.objects.get(pk=entry.pk).action == "research.search"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger is created on PostgreSQL only; SQLite relies on the "
    "model refusing save() and delete()",
)
@pytest.mark.django_db
def test_postgresql_refuses_raw_update_and_delete():
    entry = access_record_add(user=None, action="research.search", query={"q": "wages"})
    table = AccessRecord._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'changed' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert AccessRecord.objects.get(pk=entry.pk).action == "research.search"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger is created on PostgreSQL only",
)
@pytest.mark.django_db
def test_postgresql_lets_a_deleted_account_leave_its_entries_behind():
    user = make_user("signed_in", username="leaving")  # no role: groups may be flushed
    entry = access_record_add(user=user, action="research.search")
    user.delete()
    entry = AccessRecord.objects.get(pk=entry.pk)
    assert entry.user is None and entry.username == "leaving"
