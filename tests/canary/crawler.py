"""A small crawler for the canary tests: it follows every link a role can reach on a running
archive and keeps every response, so the tests can look for markers in bodies and headers."""

import json
import re
import urllib.parse
from collections import deque
from dataclasses import dataclass, field

import requests

HREF = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
XML_LINK = re.compile(r"<(?:loc|link|id|identifier)>\s*([^<\s]+)\s*</", re.IGNORECASE)
ATOM_LINK = re.compile(r"""<link[^>]+href=["']([^"']+)""", re.IGNORECASE)
TOKEN = re.compile(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
OAI_VERB = re.compile(r"[?&]verb=(ListRecords|ListIdentifiers|ListSets)")
SKIP = ("/admin/", "/accounts/logout", "/static/", "/media/", "/django-admin/")


@dataclass
class Crawl:
    base: str
    session: requests.Session
    max_pages: int = 1500
    seen: dict = field(default_factory=dict)  # url -> (status, headers text, body text)

    def _local(self, url, current):
        absolute = urllib.parse.urljoin(current, url.strip())
        parsed = urllib.parse.urlsplit(absolute)
        base = urllib.parse.urlsplit(self.base)
        if parsed.scheme not in ("http", "https") or parsed.netloc != base.netloc:
            return None
        if any(parsed.path.startswith(prefix) for prefix in SKIP):
            return None
        # Facet links combine without end: one filter beside the query, and a few pages, reach
        # every record a listing holds without crawling every combination.
        params = urllib.parse.parse_qs(parsed.query)
        page = params.pop("page", ["1"])[0]
        if "resumptionToken" not in params and (
            len(params) > 2 or not page.isdigit() or int(page) > 3
        ):
            return None
        return urllib.parse.urlunsplit(
            (parsed.scheme, parsed.netloc, parsed.path, parsed.query, "")
        )

    def fetch(self, url):
        if url in self.seen:
            return self.seen[url]
        response = self.session.get(url, allow_redirects=False, timeout=30)
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        if 300 <= response.status_code < 400 and "Location" in response.headers:
            headers += "\n"  # redirects are followed as links below
        record = (response.status_code, headers, response.text)
        self.seen[url] = record
        return record

    def links(self, url, status, headers, body):
        found = set(HREF.findall(body)) | set(XML_LINK.findall(body)) | set(ATOM_LINK.findall(body))
        location = re.search(r"^Location: (.+)$", headers, re.MULTILINE)
        if location:
            found.add(location.group(1).strip())
        if body.lstrip().startswith(("{", "[")):
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            found |= set(_json_strings(data))
            # API lists name their items by public_id: follow each to its detail.
            path = urllib.parse.urlsplit(url).path
            if path.startswith("/api/v1/") and path.count("/") == 4 and isinstance(data, dict):
                for item in data.get("results", data.get("items", [])) or []:
                    if isinstance(item, dict) and item.get("public_id"):
                        found.add(f"{path}{item['public_id']}/")
        verb = OAI_VERB.search(url)
        for token in TOKEN.findall(body):
            path = urllib.parse.urlsplit(url).path
            found.add(
                f"{path}?verb={verb.group(1) if verb else 'ListRecords'}&resumptionToken="
                + urllib.parse.quote(token.strip())
            )
        return found

    def run(self, starts):
        queue = deque(self.base + s if s.startswith("/") else s for s in starts)
        while queue and len(self.seen) < self.max_pages:
            url = queue.popleft()
            if url in self.seen:
                continue
            status, headers, body = self.fetch(url)
            for link in self.links(url, status, headers, body):
                local = self._local(link, url)
                if local and local not in self.seen:
                    queue.append(local)
        return self.seen


def _json_strings(value):
    if isinstance(value, str):
        if value.startswith(("/", "http://", "https://")):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
