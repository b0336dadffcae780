"""Excerpt approval through the "Excerpt approval" workflow: an approved excerpt's public text
changes only when a new version is approved."""

import pytest
from wagtail.models import TaskState, Workflow, WorkflowContentType, WorkflowState

from testimonies import access
from testimonies.levels import Level
from testimonies.models import Excerpt
from tests.curation.helpers import ROLES, STAFF, client_as, snippet_url, user_for
from tests.factories import make_excerpt, make_user, sign_in

pytestmark = pytest.mark.django_db

ORIGINAL = "They took our wages every month."
EDITED = "They took all our wages every month, and our passports."


def edit_data(excerpt, text, redactions=""):
    return {
        "key": excerpt.key,
        "testimony": excerpt.testimony_id,
        "text": text,
        "translation_of": "",
        "start_ms": "",
        "end_ms": "",
        "position": excerpt.position,
        "access": excerpt.access,
        "embargo_until": "",
        "content_warning": "",
        "redactions": redactions,
    }


@pytest.fixture
def excerpt():
    return make_excerpt(text=ORIGINAL, access=Level.PUBLIC)


def submit_edit(client, excerpt, text):
    data = {**edit_data(excerpt, text), "action-submit": "Submit to Excerpt approval"}
    response = client.post(snippet_url("excerpt", "edit", excerpt.pk), data)
    assert response.status_code == 302, response.content[:2000]
    excerpt.refresh_from_db()
    return excerpt


def task_state_of(excerpt):
    return TaskState.objects.get(
        workflow_state__object_id=str(excerpt.pk), status=TaskState.STATUS_IN_PROGRESS
    )


def action_url(excerpt, action):
    return snippet_url("excerpt", "workflow_action", excerpt.pk, action, task_state_of(excerpt).pk)


def test_the_migration_assigns_the_approval_workflow_to_excerpts():
    workflow = Workflow.objects.get(name="Excerpt approval", active=True)
    assert WorkflowContentType.objects.get(workflow=workflow).content_type.model == "excerpt"
    task = workflow.tasks.get().specific
    assert set(task.groups.values_list("name", flat=True)) == {"Archivists", "Custodians"}
    assert Excerpt.get_default_workflow() == workflow


def test_submitting_an_edit_keeps_the_public_text(client, excerpt):
    sign_in(client, user_for("archivist"))
    excerpt = submit_edit(client, excerpt, EDITED)
    assert excerpt.public_text == ORIGINAL and excerpt.live
    assert excerpt.workflow_in_progress
    anonymous = make_user("anonymous")
    assert access.excerpts_visible_to(anonymous).get(pk=excerpt.pk).public_text == ORIGINAL
    assert not access.excerpts_visible_to(anonymous).filter(public_text__contains="passports")


def test_approving_publishes_the_new_version(client, excerpt):
    sign_in(client, user_for("archivist"))
    excerpt = submit_edit(client, excerpt, EDITED)
    approver = client_as(client.__class__(), "custodian")
    response = approver.post(action_url(excerpt, "approve"), {"comment": "Checked the tape."})
    assert response.status_code == 302
    excerpt.refresh_from_db()
    assert excerpt.public_text == EDITED and excerpt.text == EDITED
    assert not excerpt.has_unpublished_changes
    assert (
        WorkflowState.objects.get(object_id=str(excerpt.pk)).status == WorkflowState.STATUS_APPROVED
    )
    assert access.excerpts_visible_to(make_user("anonymous")).get(pk=excerpt.pk).public_text == (
        EDITED
    )


def test_sending_back_with_a_comment_keeps_the_public_text(client, excerpt):
    sign_in(client, user_for("archivist"))
    excerpt = submit_edit(client, excerpt, EDITED)
    task_state = task_state_of(excerpt)
    reviewer = client_as(client.__class__(), "archivist")
    response = reviewer.post(
        action_url(excerpt, "reject"), {"comment": "The second clause is not in the tape."}
    )
    assert response.status_code == 302
    excerpt.refresh_from_db()
    task_state.refresh_from_db()
    assert excerpt.public_text == ORIGINAL and excerpt.text == ORIGINAL
    assert excerpt.has_unpublished_changes
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "The second clause is not in the tape."
    state = WorkflowState.objects.get(object_id=str(excerpt.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES


@pytest.mark.parametrize("role", ROLES)
def test_approval_is_refused_on_the_server_to_all_but_archive_staff(client, excerpt, role):
    submitter = client_as(client.__class__(), "archivist")
    excerpt = submit_edit(submitter, excerpt, EDITED)
    url = action_url(excerpt, "approve")
    response = client_as(client, role).post(url, {})
    excerpt.refresh_from_db()
    if role in STAFF:
        assert response.status_code == 302
        assert excerpt.public_text == EDITED
    else:
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:  # to sign in, or (admin access only) to the dashboard
            assert response["Location"].split("?")[0] in ("/admin/login/", "/admin/")
        assert excerpt.public_text == ORIGINAL
        assert excerpt.workflow_in_progress
