"""Pages the public site needs that `seed_archive` creates when they are missing."""

from .models import HomePage, StaticContentPage

ABOUT_SLUG = "about"
ABOUT_TITLE = "About and ethics"
ABOUT_DESCRIPTION = (
    "How consent, anonymisation, redaction and embargo protect the witnesses of the archive."
)
ABOUT_BODY = """
<p>This archive holds the accounts of North Korean workers sent abroad by their state: IT
workers, construction and logging crews, factory and restaurant staff in Russia, China, Mongolia
and elsewhere. Their testimonies describe forced labour, wages taken by the state and constant
surveillance. A witness whose real identity becomes known can be punished, and so can the family
they left behind. Everything here is arranged so that the testimony can be read and cited while
the people who gave it stay safe.</p>

<h2>Consent</h2>
<p>Every witness decides how far their testimony may travel: to the public, to vetted
researchers only, or to the archive's staff only. They can change their mind at any time. When a
witness narrows or withdraws consent, their testimony disappears from the public site at once;
nothing is deleted, so it can come back only if they agree again.</p>

<h2>Anonymisation</h2>
<p>Witnesses appear under a pseudonym and a few broad descriptions, such as the kind of work
they did or the decade they were born in. Their real names and contact details are kept apart
from everything else, encrypted, and readable only by the few custodians who look after them.
They never appear on this site, in its addresses, its search or its downloads.</p>

<h2>Redaction</h2>
<p>Sometimes a single detail, a place, a date or a name, could point to a person. Such words are
removed from what the public reads and replaced by <strong>[redacted]</strong>. The search does
not know them either, so nobody can find a testimony by guessing a hidden word.</p>

<h2>Embargo</h2>
<p>Some testimony can only be published later, for example once a witness's relatives have left
North Korea. Until that date has passed, an embargoed testimony is not shown to anyone outside
the archive's staff; on that date it appears by itself.</p>

<h2>Approval and sources</h2>
<p>Nothing is published until an archivist has approved it. Each excerpt names the documents it
was drawn from, so that readers can check it, and every page offers a citation. Some passages
describe violence, death or despair: they carry a content warning and stay closed until you
choose to open them.</p>
"""


def about_page_ensure():
    """The "About and ethics" page under the home page, made once; never overwritten, so an
    archivist's edits survive every later seed."""
    home = HomePage.objects.first()
    if home is None:
        return None
    page = StaticContentPage.objects.child_of(home).filter(slug=ABOUT_SLUG).first()
    if page is not None:
        return page
    page = StaticContentPage(
        title=ABOUT_TITLE,
        slug=ABOUT_SLUG,
        search_description=ABOUT_DESCRIPTION,
        body=ABOUT_BODY.strip(),
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page
