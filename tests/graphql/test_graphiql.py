"""GraphiQL (DEBUG's in-browser IDE at /graphql/) works without internet access: every file it
loads is one of our static files, and no script is inline (the Content-Security-Policy)."""

from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.references: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.references.append(attrs[name])
        self._in_script = tag == "script" and not attrs.get("src")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


@pytest.fixture
def graphiql_page(client, settings):
    settings.GRAPHQL_GRAPHIQL = True
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page


def test_the_graphiql_page_loads_only_our_own_static_files(graphiql_page, settings):
    static = f"/{settings.STATIC_URL.strip('/')}/"

    assert graphiql_page.references, "the page loads GraphiQL"
    assert all(url.startswith(static) for url in graphiql_page.references), graphiql_page.references
    missing = [
        url for url in graphiql_page.references if finders.find(url.removeprefix(static)) is None
    ]
    assert missing == []
    names = " ".join(graphiql_page.references)
    assert all(part in names for part in ("react-", "react-dom-", "graphiql-", "graphiql.js"))


def test_the_graphiql_page_runs_no_inline_script(graphiql_page):
    assert graphiql_page.inline_scripts == []


def test_the_graphiql_files_reference_no_other_host_for_what_they_load():
    """No stylesheet imports or fonts from elsewhere (the fonts are data: URLs)."""
    css = open(finders.find("graphiql/graphiql-2.4.7.min.css"), encoding="utf-8").read()

    assert "@import" not in css
    assert "url(http" not in css.replace('"', "").replace("'", "")
    assert "//cdn" not in open(finders.find("graphiql/graphiql.js"), encoding="utf-8").read()
