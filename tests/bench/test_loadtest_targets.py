"""loadtest_targets: every URL it writes answers 200, and its researcher account can sign in
and search the research area."""

import json

from django.core.management import call_command
from django.test import Client

from bench.corpus import CorpusGenerator


def test_targets_answer_and_the_researcher_can_search(db, tmp_path):
    CorpusGenerator(testimonies=6, excerpts_per=4, seed=3).run()
    out = tmp_path / "targets.json"
    call_command("loadtest_targets", out=str(out), count=20, stdout=open(tmp_path / "log", "w"))
    targets = json.loads(out.read_text())
    visitor = Client()
    for kind in ("home", "theme", "excerpt", "search"):
        assert targets[kind], kind
        assert visitor.get(targets[kind][0]).status_code == 200, kind
    # The research pages answer 404 to a visitor, 200 to the signed-in researcher.
    url = targets["research_search"][0]
    assert visitor.get(url).status_code == 404
    researcher = Client()
    account = targets["researcher"]
    assert researcher.login(username=account["username"], password=account["password"])
    assert researcher.get(url).status_code == 200
