"""Write the URLs the load test visits (public records only) to a JSON file."""

import json
import random
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand

from bench.measure import DEFAULT_URLS, RESEARCH_SEARCH_URL, SEARCH_URL, Bench
from testimonies.access import excerpts_visible_to, has_current_grant
from testimonies.models import Theme
from testimonies.services import role_grant

WORD = re.compile(r"\b[a-z]{4,}\b")
LOADTEST_RESEARCHER = "loadtest-researcher"


class Command(BaseCommand):
    help = (
        "Write load-test targets (home, themes, excerpts, searches, research searches and a "
        "researcher account) for bench/locustfile.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)
        parser.add_argument("--count", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **opts):
        rng = random.Random(opts["seed"])  # noqa: S311
        bench = Bench(urls=DEFAULT_URLS)
        visible = excerpts_visible_to(AnonymousUser())
        last = visible.order_by("-pk").values_list("pk", flat=True).first() or 0
        picks = sorted({rng.randint(1, last) for _ in range(opts["count"])})
        excerpts = list(visible.filter(pk__in=picks)[: opts["count"]])
        themes = list(Theme.objects.filter(excerpts__in=visible).distinct()[:50])
        words = [w for e in excerpts for w in WORD.findall(e.public_text)]

        def queries(url):
            return [f"{url}?q={rng.choice(words)}" for _ in range(opts["count"])] if words else []

        searches = queries(SEARCH_URL)
        research_searches = queries(RESEARCH_SEARCH_URL)
        targets = {
            "researcher": self.researcher(),
            "research_search": research_searches,
            "home": ["/"],
            "theme": [bench.object_url(t, "theme") for t in themes],
            "excerpt": [bench.object_url(e, "excerpt") for e in excerpts],
            "search": searches,
        }
        with open(opts["out"], "w") as fh:
            json.dump(targets, fh, indent=1)
        self.stdout.write(
            ", ".join(f"{k}: {len(v)}" for k, v in targets.items() if k != "researcher")
        )

    def researcher(self):
        """A researcher account for the simulated researchers, with a fresh random password
        (written to the targets file: use a benchmark database only)."""
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=LOADTEST_RESEARCHER)
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.save()
        if not has_current_grant(user):
            role_grant(user=user, role="researcher", note="load test account")
        return {"username": user.username, "password": password}
