from django.db import migrations
from django.utils import timezone

TERMS_V1 = """\
1. Research use only. You use the material in the research area for the research described in \
your application, and for nothing else.

2. Protect the witnesses. Witnesses appear under pseudonyms because a leaked identity can put \
them and their families in danger. You will not try to identify any witness, combine the \
material with other sources to identify anyone, or contact any witness.

3. Do not pass material on. You will not publish or share material that is not public in the \
archive (researcher-level excerpts and transcripts) beyond short quotations in your own \
research output, cited as the archive asks, and never anything that could identify a witness.

4. Cite the archive. Quote with the citation given for each excerpt or passage.

5. Access is personal, limited and recorded. Your access is for you alone and ends on the \
date the archive sets. Every search, reading and export is written to the archive's access \
record. The archive may revoke access at any time, with effect from the next page you open.
"""


def add_terms(apps, schema_editor):
    TermsOfUse = apps.get_model("research", "TermsOfUse")
    if not TermsOfUse.objects.exists():
        TermsOfUse.objects.create(version="1", text=TERMS_V1, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("research", "0001_initial")]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
