"""Serve: a live preview of the project in a browser, on this computer only.

``plainlang serve`` answers on 127.0.0.1 and nowhere else (and refuses requests whose
``Host`` is not the loopback address, so a web page elsewhere cannot reach it through DNS
rebinding). The page lists cases, locales, audiences and layouts, shows the chosen
leaflet's pages as PNG images (made by :mod:`plainlang.preview`), its texts with their
status, and each locale's coverage. A watcher (watchfiles) sees a ``.po`` file, a case,
a template or ``plainlang.toml`` change, renders the leaflets looked at recently again, then
moves :attr:`ProjectState.version` on; the page polls ``/version`` and reloads itself.

Standard library HTTP only (``ThreadingHTTPServer``): this is a tool for one person on
their own machine, not a web application.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import jinja2

from plainlang.errors import PlainlangError, UsageError

if TYPE_CHECKING:
    from plainlang.project import Project

logger = logging.getLogger("plainlang.serve")

HOST = "127.0.0.1"
#: Leaflets kept rendered in memory, most recently viewed first; re-rendered on change.
RECENT = 4
_PNG_NAME = re.compile(r"^[A-Za-z0-9_-]+/[a-z0-9][a-z0-9-]*-[0-9]+\.png$")


@dataclass(frozen=True)
class Choice:
    """What the page shows: one leaflet."""

    case: str
    locale: str
    audience: str
    layout: str


@dataclass(frozen=True)
class Coverage:
    locale: str
    name: str
    translated: int
    fuzzy: int
    untranslated: int
    percent: float
    case_percent: float | None


@dataclass
class View:
    """One rendered leaflet, or the error that stopped it."""

    choice: Choice
    pngs: list[tuple[str, str]] = field(default_factory=list)  # (url path, content hash)
    counts: dict[str, int] = field(default_factory=dict)
    rows: tuple[Any, ...] = ()  # plainlang.proof.ProofRow
    error: str | None = None
    pdf: str | None = None


class ProjectState:
    """The project as the page shows it; thread-safe, using the project one thread at a time.

    Everything comes from one :class:`plainlang.Project` (one session): the config is read
    once and each case and catalog parsed once, and again only when its file changed.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.root
        self.version = 0
        # The project's session is not thread-safe; requests and the watcher take turns.
        self._project_lock = threading.RLock()
        self._lock = threading.Lock()
        self._views: dict[Choice, View] = {}
        self._recent: list[Choice] = []

    def _refresh(self) -> None:
        """Look for changed files (one stat each); forget the views a change made stale.

        A request after a save shows the new text even before the watcher has seen it.
        """
        with self._project_lock:
            changed = self.project.refresh()
        if changed:
            with self._lock:
                self._views.clear()

    # -- what there is to choose from

    def options(self) -> dict[str, list[str]]:
        self._refresh()
        with self._project_lock:
            config = self.project.config
            return {
                "case": self.project.session.case_ids(),
                "locale": [*config.locales, config.source_locale],
                "audience": list(config.audiences),
                "layout": list(config.layouts),
            }

    def choose(self, query: dict[str, list[str]]) -> Choice:
        """The leaflet the query asks for; unknown or missing values become the first option."""
        options = self.options()
        picked = {}
        for key, values in options.items():
            wanted = query.get(key, [""])[0]
            picked[key] = wanted if wanted in values else (values[0] if values else "")
        return Choice(**picked)

    def coverage(self, case: str) -> list[Coverage]:
        self._refresh()
        with self._project_lock:
            stats = self.project.stats()
            config = self.project.config
        case_pct = {row.locale: row.percent for row in stats.catalogs if row.domain == case}
        return [
            Coverage(
                locale=loc,
                name=config.locale(loc).name,
                translated=t.translated,
                fuzzy=t.fuzzy,
                untranslated=t.untranslated,
                percent=t.percent,
                case_percent=case_pct.get(loc),
            )
            for loc, t in stats.locales.items()
        ]

    # -- rendering

    def view(self, choice: Choice) -> View:
        """The rendered leaflet for ``choice``, rendering it now if it is not yet."""
        self._refresh()
        with self._lock:
            if choice in self._recent:
                self._recent.remove(choice)
            self._recent.insert(0, choice)
            del self._recent[RECENT:]
            cached = self._views.get(choice)
        if cached is not None:
            return cached
        return self._render(choice)

    def _render(self, choice: Choice) -> View:
        from plainlang.errors import display_path
        from plainlang.proof import make_proof

        view = View(choice)
        with self._project_lock:
            try:
                project = self.project
                result = project.preview(
                    choice.case, choice.locale, choice.audience, choice.layout
                )
                preview_dir = self.root / "build" / "preview"
                for png in result.pngs:
                    rel = png.resolve().relative_to(preview_dir.resolve()).as_posix()
                    digest = hashlib.sha256(png.read_bytes()).hexdigest()[:16]
                    view.pngs.append((f"/png/{rel}", digest))
                view.counts = result.counts
                view.pdf = display_path(result.pdf, self.root)
                config = project.config
                if choice.locale != config.source_locale:
                    session = project.session
                    ui = config.locale_info[choice.locale].lang
                    case = session.case(choice.case)
                    view.rows = make_proof(case, choice.locale, config, ui, session.catalogs).rows
            except PlainlangError as exc:
                view.error = exc.format()
            except Exception as exc:  # the page must say what broke, not die
                logger.exception("rendering %s failed", choice)
                view.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self._views[choice] = view
        return view

    def changed(self, paths: Iterable[str]) -> None:
        """Files changed on disk: render the recent leaflets again, then tell the pages."""
        logger.info("changed: %s", ", ".join(sorted(paths)))
        self._refresh()
        with self._lock:
            recent = list(self._recent)
            self._views.clear()
        for choice in recent:
            self._render(choice)
        with self._lock:
            self.version += 1


def watched_paths(root: Path) -> list[Path]:
    """The inputs of a leaflet: cases, catalogs, templates and the config."""
    paths = [root / "content", root / "locales", root / "templates", root / "plainlang.toml"]
    return [p for p in paths if p.exists()]


def _interesting(change: Any, path: str) -> bool:
    """Ignore our own atomic-write temp files, editors' swap files and compiled catalogs."""
    name = Path(path).name
    if name.startswith((".", "#", "~")) or name.endswith(("~", ".tmp", ".swp", ".mo")):
        return False
    return not Path(path).is_dir()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "plainlang-serve"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        port = self.server.server_address[1]
        return host in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _send(self, status: int, body: bytes, content_type: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain; charset=utf-8")
            return
        state = self.server.state
        url = urlsplit(self.path)
        if url.path == "/version":
            body = json.dumps({"version": state.version}).encode()
            self._send(HTTPStatus.OK, body, "application/json")
        elif url.path == "/app.js":
            self._send(HTTPStatus.OK, APP_JS.encode(), "text/javascript; charset=utf-8")
        elif url.path == "/app.css":
            self._send(HTTPStatus.OK, APP_CSS.encode(), "text/css; charset=utf-8")
        elif url.path.startswith("/png/"):
            self._png(url.path[len("/png/") :])
        elif url.path == "/":
            query = parse_qs(url.query)
            try:
                html = page_html(state, state.choose(query))
                status = HTTPStatus.OK
            except PlainlangError as exc:
                html = _page().render(fatal=exc.format(), version=state.version)
                status = HTTPStatus.INTERNAL_SERVER_ERROR
            self._send(status, html.encode("utf-8"), "text/html; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    def _png(self, rel: str) -> None:
        base = (self.server.state.root / "build" / "preview").resolve()
        target = (base / rel).resolve()
        if not _PNG_NAME.match(rel) or not target.is_relative_to(base) or not target.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
            return
        self._send(HTTPStatus.OK, target.read_bytes(), "image/png", cache=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ProjectState


def _listen(port: int) -> _Server:
    """The server bound to 127.0.0.1:``port``; a port in use is a usage error, not a traceback."""
    try:
        return _Server((HOST, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {HOST} is already in use",
                hint=f"stop what uses it, or choose another port, e.g. --port {port + 1};"
                " --port 0 takes any free one",
            ) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise UsageError(
                f"no permission to listen on port {port}",
                hint="ports below 1024 need administrator rights: use --port 8000",
            ) from None
        raise UsageError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None


class PreviewServer:
    """The HTTP server and the file watcher, bound to 127.0.0.1 (``port`` 0: any free port)."""

    def __init__(self, project: Project | Path, port: int = 8000) -> None:
        from plainlang.project import Project

        # A project (or a folder in one), or a usage error before anything listens.
        if not isinstance(project, Project):
            project = Project.load(project)
        self.state = ProjectState(project)
        self.httpd = _listen(port)
        self.httpd.state = self.state
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def watch(self) -> None:
        """Watch the project's inputs until :meth:`close`; every batch of changes re-renders."""
        import watchfiles

        paths = watched_paths(self.state.root)
        if not paths:
            return
        try:
            for changes in watchfiles.watch(
                *paths,
                watch_filter=_interesting,
                stop_event=self._stop,
                debounce=300,
                raise_interrupt=False,
            ):
                self.state.changed(path for _, path in changes)
        except Exception:  # a watcher that dies must not take the server down
            logger.exception("file watcher stopped")

    def start(self) -> PreviewServer:
        """Serve and watch in background threads (for tests and embedding)."""
        for target in (self.watch, self.httpd.serve_forever):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def serve_forever(self) -> None:
        """Watch in the background and serve in this thread until Ctrl+C."""
        thread = threading.Thread(target=self.watch, daemon=True)
        thread.start()
        self._threads.append(thread)
        self.httpd.serve_forever()

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=10)


# -- the page --------------------------------------------------------------------------------


def page_html(state: ProjectState, choice: Choice) -> str:
    """The page for ``choice``; a broken catalog is shown where it matters, not as a crash."""
    version = state.version  # read first: a change while rendering reloads the page again
    view = state.view(choice)
    try:
        coverage, coverage_error = state.coverage(choice.case), None
    except PlainlangError as exc:
        coverage, coverage_error = [], exc.format()
    return _page().render(
        fatal=None,
        version=version,
        options=state.options(),
        choice=choice,
        view=view,
        coverage=coverage,
        coverage_error=coverage_error,
    )


@functools.cache
def _page() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(PAGE)


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>plainlang preview{% if not fatal %}: {{ choice.case }}
({{ choice.locale }}){% endif %}</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body data-version="{{ version }}">
<header><h1>plainlang preview</h1>
<p class="live">Updates when a .po file, a case or a template changes.
Version <span id="version">{{ version }}</span>.</p></header>
{% if fatal %}
<p class="error" role="alert">{{ fatal }}</p>
{% else %}
<form method="get" action="/" id="choose">
{% for key, values in options.items() %}
<label>{{ key }}
<select name="{{ key }}" id="{{ key }}">
{% for value in values %}
<option value="{{ value }}"{% if value == choice[key] %} selected{% endif %}>
{{- value }}</option>
{% endfor %}</select></label>
{% endfor %}
<button type="submit">Show</button>
</form>
<main>
<section class="leaflet" aria-labelledby="leaflet-h">
<h2 id="leaflet-h">{{ choice.case }} · {{ choice.locale }} · {{ choice.audience }}
· {{ choice.layout }}</h2>
{% if view.error %}<p class="error" role="alert" id="error">{{ view.error }}</p>{% endif %}
{% if view.counts %}<p id="counts">
{% for status, n in view.counts | dictsort %}
<span class="count status-{{ status }}">{{ status }}: {{ n }}</span>
{% endfor %}</p>{% endif %}
{% if view.pdf %}<p class="pdf">PDF: <code>{{ view.pdf }}</code></p>{% endif %}
<div class="pages">
{% for url, digest in view.pngs %}
<img src="{{ url }}?v={{ digest }}" class="page"
 alt="page {{ loop.index }} of {{ view.pngs | length }}">
{% endfor %}</div>
</section>
<section class="coverage" aria-labelledby="coverage-h">
<h2 id="coverage-h">Coverage</h2>
{% if coverage_error %}<p class="error" role="alert">{{ coverage_error }}</p>{% endif %}
<table id="coverage"><thead><tr><th>locale</th><th>translated</th><th>draft</th>
<th>untranslated</th><th>all cases %</th><th>{{ choice.case }} %</th></tr></thead>
<tbody>
{% for c in coverage %}
<tr data-locale="{{ c.locale }}"><th>{{ c.name }} ({{ c.locale }})</th>
<td class="translated">{{ c.translated }}</td><td>{{ c.fuzzy }}</td><td>{{ c.untranslated }}</td>
<td>{{ "%.0f" | format(c.percent) }}</td>
<td>{{ "%.0f" | format(c.case_percent) if c.case_percent is not none else "" }}</td></tr>
{% endfor %}</tbody></table>
</section>
{% if view.rows %}
<section class="texts" aria-labelledby="texts-h">
<h2 id="texts-h">Texts</h2>
<table id="texts"><thead><tr><th>#</th><th>source</th><th>translation</th>
<th>status</th><th>where</th></tr></thead>
<tbody>
{% for row in view.rows %}
<tr class="status-{{ row.status }}"><td>{{ row.number }}</td><td>{{ row.source }}</td>
<td lang="{{ row.translation_lang }}">{{ row.translation }}</td><td>{{ row.status }}</td>
<td><code>{{ row.references | join(" ") }}</code></td></tr>
{% endfor %}</tbody></table>
</section>
{% endif %}
</main>
{% endif %}
</body>
</html>
"""

APP_JS = """\
"use strict";
// Reload when the server has rendered new inputs; submit the form when a choice changes.
(function () {
  var shown = document.body.dataset.version;
  function poll() {
    fetch("/version", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (String(d.version) !== shown) { window.location.reload(); return; }
        setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
  document.querySelectorAll("#choose select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
})();
"""

APP_CSS = """\
body { font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #111; background: #fff; }
h1 { font-size: 1.4rem; margin: 0; }
.live { color: #444; margin-top: .2rem; }
form { display: flex; gap: 1rem; flex-wrap: wrap; align-items: end; margin: 1rem 0; }
label { display: flex; flex-direction: column; font-weight: bold; }
select, button { font-size: 1rem; padding: .2rem .4rem; }
.pages { display: flex; flex-wrap: wrap; gap: 1rem; }
.page { max-width: 100%; border: 1px solid #999; box-shadow: 0 1px 4px #0003; }
.error { background: #fde8e8; border-left: 4px solid #a00; padding: .5rem 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
td { vertical-align: top; }
.count { margin-right: 1rem; }
tr.status-draft td:nth-child(3) { border-left: 4px dashed #8a5a00; }
tr.status-fallback td:nth-child(3) { border-left: 4px dotted #0d3c78; }
tr.status-untranslated td:nth-child(3) { border-left: 4px double #8b1a1a; }
tr.status-translated td:nth-child(3) { border-left: 4px solid #1b5e20; }
"""
