"""Two archivists editing the same record: the second save is refused, visibly.

Wagtail 8 puts the revision an editor loaded in the edit form (`loaded_revision_id`,
`loaded_revision_created_at`) and refuses an out-of-date *autosave*, but an ordinary save or
publish of an out-of-date form would quietly become the newest revision. This edit view refuses
those too, with a message naming what happened; the editor's input stays in the form so
nothing typed is lost, and saving again after reading the message is a deliberate choice.

Consent is never undone by an edit: the access columns are derived on every save from the
database (Excerpt.save), not from the form or the revision.
"""

from wagtail.snippets.views.snippets import EditView

CONFLICT_MESSAGE = (
    "Not saved: someone else saved a newer version of this %(model_name)s after you opened it. "
    "Your changes are still in the form below. Compare them with the latest version in the "
    "history before saving again."
)


class ConflictRefusingEditView(EditView):
    guard_template_name = "testimonies/admin/edit_with_revision_guard.html"

    def get_template_names(self):
        return [self.guard_template_name]

    @property
    def saving_stale_form(self):
        if self.request.method != "POST" or not self.revision_enabled:
            return False
        if self.is_out_of_date:
            return True
        # Wagtail's form carries no revision id when the record had no revision yet, and then
        # assumes it is current. Ours always says ("none"): if a revision exists now, someone
        # else saved in between.
        opened_at = self.request.POST.get("archive_loaded_revision")
        return opened_at == "none" and bool(self.latest_revision)

    def is_valid(self, form):
        if not self.expects_json_response and self.saving_stale_form:
            self.produced_error_code = "invalid_revision"
            self.produced_error_message = CONFLICT_MESSAGE % {
                "model_name": self.model._meta.verbose_name
            }
            return False
        return super().is_valid(form)
