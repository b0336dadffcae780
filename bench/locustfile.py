"""Load test: visitors reading the home page, themes, excerpts and search, and researchers
(signed in) searching the research area, in the proportion 4 to 1.

Run through `make loadtest` (see bench/loadtest.sh), never in CI. Targets (URLs) come from
the JSON file named by LOADTEST_TARGETS, written by `manage.py loadtest_targets`. A kind of
page that does not answer 200 when the test starts (not built yet) is left out and reported,
so the numbers are never those of error pages. The run stops by itself after
LOADTEST_MAX_REQUESTS requests or Locust's --run-time, whichever comes first.
"""

import json
import os
import random

import requests
from locust import HttpUser, between, events, task

TARGETS = json.loads(open(os.environ["LOADTEST_TARGETS"]).read())  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "200000"))
WEIGHTS = {"home": 2, "theme": 2, "excerpt": 4, "search": 4}
available = {}
sent = 0


def probe(host):
    """Keep only the kinds of page that exist in this build (asked once, before the test)."""
    for kind in WEIGHTS:
        urls = TARGETS.get(kind) or []
        if not urls:
            print(f"loadtest: no {kind} targets; left out")
            continue
        status = requests.get(host + urls[0], timeout=30).status_code
        if status == 200:
            available[kind] = urls
        else:
            print(f"loadtest: GET {urls[0]} answered {status}; {kind} pages left out")
    print(f"loadtest: mix {', '.join(f'{k} x{WEIGHTS[k]}' for k in available)}", flush=True)


probe(os.environ["LOADTEST_HOST"])


@events.request.add_listener
def count(environment=None, **kwargs):
    global sent
    sent += 1
    if sent >= MAX_REQUESTS and environment is not None and environment.runner is not None:
        environment.runner.quit()


def plain_http_cookies(jar):
    """Production settings mark the session and CSRF cookies Secure (HTTPS only); the load test
    speaks plain HTTP on loopback, so the client is told to send them back anyway. The server's
    settings stay those of production."""
    for cookie in jar:
        cookie.secure = False


class Visitor(HttpUser):
    weight = 4
    wait_time = between(0.5, 2.0)

    @task
    def visit(self):
        kinds = list(available)
        if not kinds:
            return
        kind = random.choices(kinds, [WEIGHTS[k] for k in kinds])[0]  # noqa: S311
        url = random.choice(available[kind])  # noqa: S311
        self.client.get(url, name=kind)


class Researcher(HttpUser):
    """Signs in with the account `loadtest_targets` made, then searches the research area."""

    weight = 1
    wait_time = between(1.0, 3.0)

    def on_start(self):
        account = TARGETS.get("researcher")
        self.ready = False
        if not account or not TARGETS.get("research_search"):
            return
        self.client.get("/accounts/login/", name="login form")
        plain_http_cookies(self.client.cookies)
        token = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/accounts/login/",
            {
                "username": account["username"],
                "password": account["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="sign in",
        )
        plain_http_cookies(self.client.cookies)
        self.ready = response.ok and "sessionid" in self.client.cookies
        if not self.ready:
            print(f"loadtest: researcher sign-in answered {response.status_code}", flush=True)

    @task
    def search(self):
        if self.ready:
            url = random.choice(TARGETS["research_search"])  # noqa: S311
            self.client.get(url, name="research_search")
