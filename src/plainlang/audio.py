"""Audio: a leaflet read aloud, as Opus in Ogg (what messaging apps play as a voice note).

The stage has a pure middle and its I/O at the edges:

- :func:`script` turns the view model of a leaflet (:class:`plainlang.render.Leaflet`) into
  the list of what is said, in reading order: :class:`AudioSegment` s, each with its text,
  its language, the espeak-ng voice that reads it, its pauses and the name a person's
  recording of it must have. The small words around the leaflet's own text ("Step 1", "the
  web address is ...", the notes of the back panel) come from the theme's
  ``spoken/words.txt.j2`` through the ``ui`` catalogs, each read in the language it is in.
- :class:`Espeak` (the voices and version of the installed espeak-ng) and
  :func:`choose_voices` decide who reads each locale: its ``voice`` key, else the espeak-ng
  voice of its language, else its fallback chain's, else the source locale's.
- :func:`synthesize` speaks the script with espeak-ng, putting people's recordings
  (``recordings/<locale>/<case>/<name>.wav|.ogg``, decoded with soundfile) in place of
  their segments; :func:`encode_opus` encodes it with libopus, in process (:mod:`plainlang.opus`;
  mono, 48 kHz, a voice-note bitrate, a fixed serial number and no date: the same inputs
  give the same bytes).

:class:`AudioMaker` ties them together for one leaflet: :meth:`AudioMaker.plan` (the
script, the recordings found and the input key, cheap) and :meth:`AudioMaker.make` (the
``.ogg`` bytes).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from xml.sax.saxutils import escape as xml_escape

from plainlang import __version__, opus
from plainlang.config import CONFIG_NAME, ProjectConfig, normalize_locale
from plainlang.errors import (
    BuildError,
    CatalogError,
    ConfigError,
    PlainlangError,
    SourceLocation,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from plainlang.localize import LocalizedCase
    from plainlang.render import BlockView, Leaflet, LeafletRenderer, TextView

    Samples = npt.NDArray[np.float32]

#: The output: Opus always decodes at 48 kHz; one channel.
SAMPLE_RATE = opus.RATE
T = TypeVar("T")
#: espeak-ng's speed in words per minute: its default (175) is quick for readers who hear
#: the leaflet in their second language; 150 is the pace of a careful radio reading.
WORDS_PER_MINUTE = 150
#: espeak-ng's amplitude (0-200, its default 100): 80 leaves headroom, so that resampling
#: and the Opus decoder's overshoot do not clip its loudest vowels (at 100 some did).
AMPLITUDE = 80
WORDS_TEMPLATE = "spoken/words.txt.j2"
#: The language of the theme's msgids: a ui string no catalog translates is English.
THEME_LOCALE = "en"
RECORDINGS_DIR = "recordings"
RECORDING_SUFFIXES = (".wav", ".ogg")
#: A recording of one segment: a paragraph read slowly is a minute; WAV at 48 kHz, 24-bit
#: stereo is 17 MB a minute.
MAX_RECORDING_BYTES = 64 * 1024 * 1024
MAX_RECORDING_SECONDS = 600
#: More text than a leaflet holds (render.MAX_LEAFLET_CHARS): over an hour of speech.
MAX_SCRIPT_CHARS = 100_000
SUBPROCESS_TIMEOUT = 600

#: Pauses in milliseconds (before, after) by kind of segment. Between two segments the
#: longer of the two pauses is kept, not their sum.
PAUSES: Mapping[str, tuple[int, int]] = {
    "draft": (0, 700),
    "audience": (0, 400),
    "example": (0, 400),
    "title": (0, 900),
    "summary": (0, 700),
    "heading": (800, 500),
    "paragraph": (0, 400),
    "step": (200, 150),
    "item": (0, 400),
    "quote": (200, 300),
    "attribution": (0, 600),
    "image": (0, 400),
    "cell": (0, 250),
    "callout": (800, 300),
    "about": (1000, 500),
    "address": (0, 600),
    "note": (0, 400),
}


class AudioError(PlainlangError):
    """Bad input for the audio version: a recording that cannot be used, a missing tool."""

    category = "audio error"


# -- what is said ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioSegment:
    """One thing said: its words, their language, who reads them, the pauses around it."""

    kind: str
    text: str
    locale: str  # the locale the words are in
    voice: str  # the espeak-ng voice that reads them (unless a person recorded them)
    pause_before: int = 0  # ms
    pause_after: int = 0  # ms

    @property
    def name(self) -> str:
        """The name of a person's recording of this segment (without ``.wav``/``.ogg``).

        Stable while the words and their language stay the same: a recording is never
        used for a text it does not say.
        """
        return recording_name(self.kind, self.text, self.locale)

    @property
    def words(self) -> int:
        return len(self.text.split())


def recording_name(kind: str, text: str, locale: str) -> str:
    """``<kind>-<10 hex digits of a hash of the locale and the exact text>``.

    >>> recording_name("heading", "Who is Julia?", "en")
    'heading-0a7ca0c1ac'
    """
    digest = hashlib.sha256(f"{locale}\n{text}".encode()).hexdigest()
    return f"{kind}-{digest[:10]}"


@dataclass(frozen=True)
class VoiceChoice:
    """Who reads a locale: an espeak-ng voice, and whether it is the locale's own."""

    locale: str  # the locale read
    voice: str  # espeak-ng voice, e.g. "qu", "es-419"
    label: str  # espeak-ng's name for it, e.g. "Quechua"
    owner: str  # the locale whose voice it is (the locale itself, or one of its fallbacks)
    language_name: str  # the owner's name in its own language, e.g. "español"

    @property
    def own(self) -> bool:
        return self.owner == self.locale

    def to_json(self) -> dict[str, Any]:
        return {"voice": self.voice, "label": self.label, "locale": self.owner, "own": self.own}


@dataclass(frozen=True)
class Phrase:
    text: str
    locale: str


class Phrasebook:
    """The theme's spoken words (``spoken/words.txt.j2``) for one leaflet, in any language.

    Each macro is rendered with the ``ui`` catalogs of the language asked for, along its
    fallback chain; the phrase knows the language it came out in, so that a Spanish word in
    a Quechua leaflet is read by the Spanish voice, and an untranslated one by an English
    voice.
    """

    def __init__(
        self, renderer: LeafletRenderer, leaflet: Leaflet, words: WordsEnvironment | None = None
    ) -> None:
        self.renderer = renderer
        self.leaflet = leaflet
        # The environment (and the template compiled in it) outlives one leaflet: pass the
        # same one for every leaflet of a build.
        self.words = words or WordsEnvironment(renderer)
        self._modules: dict[str, tuple[Any, list[str]]] = {}

    def _module(self, locale: str) -> tuple[Any, list[str]]:
        if locale not in self._modules:
            seen: list[str] = []
            with self.words.speaking(locale, seen), \
                    self.renderer.template_errors(WORDS_TEMPLATE):
                template = self.words.env.get_template(WORDS_TEMPLATE)
                module = template.make_module({"leaflet": self.leaflet})
            self._modules[locale] = (module, seen)
        return self._modules[locale]

    def say(self, macro: str, locale: str, **values: Any) -> Phrase:
        """The words of ``macro`` in ``locale`` (or in what its fallback chain has)."""
        module, seen = self._module(locale)
        seen.clear()
        call = getattr(module, macro, None)
        if call is None:
            from plainlang.errors import TemplateError

            raise TemplateError(
                f"no macro '{macro}' in {WORDS_TEMPLATE}",
                SourceLocation(self.renderer.config.theme.ref(WORDS_TEMPLATE)),
                hint="copy the macro from the shipped theme's file",
            )
        with self.words.speaking(locale, seen), self.renderer.template_errors(WORDS_TEMPLATE):
            try:
                text = str(call(**values))
            except (KeyError, ValueError, TypeError) as exc:
                raise CatalogError(
                    f"a ui translation the audio version reads does not fit its placeholders"
                    f" ({type(exc).__name__}: {exc}) in {WORDS_TEMPLATE}, macro {macro}",
                    hint="run plainlang check: keep placeholders such as %(number)s as they are",
                ) from exc
        return Phrase(" ".join(text.split()), seen[0] if seen else locale)


class WordsEnvironment:
    """The Jinja environment of the spoken words, for every language: the theme's
    templates, text out (no HTML), compiled once per build rather than once per locale.

    Its gettext looks the string up in the ``ui`` catalogs of the language being spoken
    (see :meth:`speaking`), and records the locale of the catalog that had it
    (:data:`THEME_LOCALE` when none had it).
    """

    def __init__(self, renderer: LeafletRenderer) -> None:
        import contextvars

        import jinja2

        self.renderer = renderer
        self._speaking: contextvars.ContextVar[tuple[Any, list[str]]] = (
            contextvars.ContextVar("speaking")
        )
        lookup = self._lookup
        self.env = jinja2.Environment(
            loader=renderer.config.theme.loader(),
            autoescape=False,  # the output is words for a voice, never HTML
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda s: lookup(s),
            ngettext=lambda s, p, n: lookup(s) if n == 1 else lookup(p),
            pgettext=lambda c, s: lookup(s, c),
            npgettext=lambda c, s, p, n: lookup(s, c) if n == 1 else lookup(p, c),
            newstyle=True,
        )

    @contextlib.contextmanager
    def speaking(self, locale: str, seen: list[str]) -> Iterator[None]:
        """Within the block, strings come from ``locale``'s ui catalogs; their locales go
        into ``seen``."""
        token = self._speaking.set((self.renderer.ui_translations(locale), seen))
        try:
            yield
        finally:
            self._speaking.reset(token)

    def _lookup(self, message: str, context: str | None = None) -> str:
        ui, seen = self._speaking.get()
        found = ui.find(message, context)
        if found is None or not isinstance(found[0], str):
            seen.append(THEME_LOCALE)
            return message
        seen.append(found[1])
        return str(found[0])


# A web address or an e-mail address in running text: said mark by mark, never spelled.
_ADDRESS = re.compile(
    r"""(?x)
    (?:\b[A-Za-z][A-Za-z0-9+.-]*://|\b[Ww][Ww][Ww]\.)[^\s<>"'()\[\]]+  # https://..., www....
    | \b[\w.+-]+@[\w-]+(?:\.[\w-]+)+                                  # e-mail
    # example.org/x: a lower-case ending, so that "EE.UU." stays an abbreviation
    | \b[\w][\w-]*(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/[^\s<>"'()\[\]]*)?
    """
)
_MARKS = "./-_@:?=&"
_TRAILING = ".,;:!?)»”’'\""


def address_pieces(address: str) -> list[str]:
    """A web or e-mail address as the words and marks it is said with.

    The scheme, a leading ``www.`` and a final ``/`` are left out: nobody types them.

    >>> address_pieces("https://www.example.org/right-to-know/")
    ['example', '.', 'org', '/', 'right', '-', 'to', '-', 'know']
    """
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", address.strip(), flags=re.I)
    text = re.sub(r"^(mailto|tel):", "", text, flags=re.I)
    text = re.sub(r"^www\.", "", text, flags=re.I).rstrip("/")
    pieces = [p for p in re.split(r"([./\-_@:?=&])", text) if p]
    return pieces


def _spoken(plain: str, locale: str, book: Phrasebook) -> str:
    """A segment's plain text as it is said: addresses in words, invisible marks dropped."""

    def address(match: re.Match[str]) -> str:
        found = match.group(0)
        core = found.rstrip(_TRAILING)
        tail = found[len(core) :]
        return _address_words(core, locale, book) + tail

    text = _ADDRESS.sub(address, plain)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\t\n")
    return " ".join(text.split())


def _address_words(address: str, locale: str, book: Phrasebook) -> str:
    words = [
        book.say("mark", locale, char=piece).text if piece in _MARKS else piece
        for piece in address_pieces(address)
    ]
    return " ".join(words)


class _ScriptWriter:
    def __init__(
        self, leaflet: Leaflet, book: Phrasebook, voices: VoiceTable, doc_locale: str
    ) -> None:
        self.leaflet = leaflet
        self.book = book
        self.voices = voices
        self.doc_locale = doc_locale
        self.segments: list[AudioSegment] = []

    def add(self, kind: str, text: str, locale: str) -> None:
        if not text.strip():
            return
        before, after = PAUSES[kind]
        voice = self.voices.voice_for(locale, self.doc_locale)
        self.segments.append(AudioSegment(kind, text, locale, voice.voice, before, after))

    def say(self, kind: str, macro: str, locale: str | None = None, **values: Any) -> None:
        phrase = self.book.say(macro, locale or self.doc_locale, **values)
        self.add(kind, phrase.text, phrase.locale)

    def text(self, kind: str, view: TextView | None) -> None:
        if view is None:
            return
        locale = normalize_locale(view.lang)
        self.add(kind, _spoken(view.plain, locale, self.book), locale)

    def address(self, kind: str, macro: str, url: str) -> None:
        words = _address_words(url, self.doc_locale, self.book)
        self.say(kind, macro, address=words)

    def block(self, block: BlockView) -> None:
        kind = block.type
        if kind in ("heading", "paragraph", "image"):
            self.text(kind, block.text)
        elif kind == "list":
            for index, item in enumerate(block.items):
                if block.ordered:
                    self.say("step", "step", number=block.start + index)
                self.text("item", item)
        elif kind == "quote":
            for paragraph in block.paragraphs:
                self.text("quote", paragraph)
            self.text("attribution", block.attribution)
        elif kind == "table":
            for cell in block.header:
                self.text("cell", cell)
            for row in block.rows:
                for cell in row:
                    self.text("cell", cell)
        elif kind == "audience":
            self.say("callout", "for_you")
            for inner in block.blocks:
                self.block(inner)


def script(
    leaflet: Leaflet,
    book: Phrasebook,
    voices: VoiceTable,
    *,
    recorded: frozenset[str] = frozenset(),
) -> tuple[AudioSegment, ...]:
    """What the audio version of ``leaflet`` says, in reading order.

    A draft's notice first; the cover (audience, example badge, title, summary); the body
    in the writer's order, headings with pauses around them, numbered items with their
    number, call-outs with their label; then the back: the web address of the QR code,
    language, who reads it, fallbacks, example, source, date, publisher, contact.
    ``recorded`` holds the names of segments people recorded: with any, the back says so.
    """
    doc_locale = leaflet.locale.code
    out = _ScriptWriter(leaflet, book, voices, doc_locale)
    if leaflet.has_drafts:
        out.say("draft", "draft")
    out.say("audience", "audience")
    if leaflet.example:
        out.say("example", "example")
    out.text("title", leaflet.title)
    out.text("summary", leaflet.summary)
    for block in leaflet.blocks:
        out.block(block)
    out.say("about", "about")
    if leaflet.qr_url:
        out.address("address", "web_address", leaflet.qr_url)
    out.say("note", "language", name=leaflet.locale.name)
    choice = voices.choice(doc_locale)
    recorded_here = bool(recorded & {s.name for s in out.segments})
    if choice.own:
        out.say("note", "voice_own", language=leaflet.locale.name)
    else:
        out.say(
            "note", "voice_fallback", language=leaflet.locale.name,
            voice_language=choice.language_name,
        )
    if recorded_here:
        out.say("note", "recorded")
    if leaflet.has_fallback and leaflet.fallback_languages:
        out.say("note", "fallback", languages=", ".join(leaflet.fallback_languages))
    if leaflet.example:
        out.say("note", "example_note")
    out.text("note", leaflet.source)
    if leaflet.date:
        out.say("note", "updated", date=leaflet.date)
    if leaflet.publisher:
        out.add("note", leaflet.publisher, doc_locale)
    contact = leaflet.contact
    if contact and contact != leaflet.qr_url:
        if _ADDRESS.fullmatch(contact.strip()):
            out.address("note", "contact", contact)
        else:
            out.add("note", contact, doc_locale)
    out.say("note", "share")
    return tuple(out.segments)


# -- voices -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Espeak:
    """What the installed espeak-ng offers: its version and its voices by language.

    ``voices`` maps each language espeak-ng answers to (lower case, ``-`` between parts) to
    the voice it picks for it and that voice's name: its own languages (``es-419``) and the
    other languages it speaks (``en`` for ``en-gb``), by espeak-ng's priority.
    """

    version: str
    voices: Mapping[str, tuple[str, str]]

    @classmethod
    def detect(cls) -> Espeak:
        """The installed espeak-ng (asked once per process)."""
        return _detect_espeak()

    def find(self, code: str) -> tuple[str, str] | None:
        return self.voices.get(code.lower().replace("_", "-"))


@functools.cache
def _detect_espeak() -> Espeak:
    version = _run_tool(["espeak-ng", "--version"]).decode("utf-8", "replace")
    listing = _run_tool(["espeak-ng", "--voices"]).decode("utf-8", "replace")
    match = re.search(r"text-to-speech:\s*(\S+)", version)
    return Espeak(match.group(1) if match else version.strip(), parse_voices(listing))


def parse_voices(listing: str) -> dict[str, tuple[str, str]]:
    """``espeak-ng --voices`` output -> {language: (voice, voice name)}.

    >>> voices = parse_voices(" 5  es-419  --/M  Spanish roa/es-419  (es-mx 6)(es 6)")
    >>> voices["es"], sorted(voices)
    (('es-419', 'Spanish'), ['es', 'es-419', 'es-mx'])
    """
    own: dict[str, tuple[str, str]] = {}
    other: dict[str, tuple[int, str, str]] = {}
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) < 5 or not parts[0].isdigit():
            continue
        language, name = parts[1].lower(), parts[3]
        own.setdefault(language, (language, name))
        for alias, priority in re.findall(r"\(([\w-]+)\s+(\d+)\)", " ".join(parts[5:])):
            alias = alias.lower()
            if alias not in other or int(priority) < other[alias][0]:
                other[alias] = (int(priority), language, name)
    out = dict(own)
    for alias, (_, language, name) in other.items():
        out.setdefault(alias, (language, name))
    return out


class VoiceTable:
    """The voice of every locale of a project, and of any other language a text is in."""

    def __init__(self, choices: Mapping[str, VoiceChoice], espeak: Espeak) -> None:
        self.choices = dict(choices)
        self.espeak = espeak

    def choice(self, locale: str) -> VoiceChoice:
        return self.choices[locale]

    def voice_for(self, locale: str, leaflet_locale: str) -> VoiceChoice:
        """The voice for words in ``locale`` (a project locale, else espeak-ng's own, else
        the leaflet's voice)."""
        if locale in self.choices:
            return self.choices[locale]
        found = self.espeak.find(locale)
        if found is not None:
            return VoiceChoice(locale, found[0], found[1], locale, locale)
        return self.choices[leaflet_locale]


def choose_voices(config: ProjectConfig, espeak: Espeak) -> dict[str, VoiceChoice]:
    """Who reads each locale of the project.

    A locale's own voice is its ``voice`` key (which espeak-ng must have: a ConfigError at
    that line otherwise), else espeak-ng's voice for its language code. A locale with no
    voice of its own is read by the first of its fallback chain that has one, then by the
    source locale's; with none at all it is a ConfigError that says what to add.
    """
    own: dict[str, tuple[str, str]] = {}
    for code, info in config.locale_info.items():
        if info.voice is not None:
            found = espeak.find(info.voice)
            if found is None:
                raise ConfigError(
                    f"espeak-ng {espeak.version} has no voice '{info.voice}' for '{code}'",
                    _voice_location(config, code),
                    hint="choose one that `espeak-ng --voices` lists (e.g. es-419, qu), "
                    "or remove the key",
                )
            own[code] = found
        else:
            found = espeak.find(info.lang)
            if found is not None:
                own[code] = found
    choices: dict[str, VoiceChoice] = {}
    for code in config.locale_info:
        chain = [*config.fallback_chain(code), config.source_locale]
        owner = next((c for c in chain if c in own), None)
        if owner is None:
            raise ConfigError(
                f"no espeak-ng voice reads '{code}', its fallbacks or the source locale",
                _voice_location(config, code),
                hint=f'add voice = "..." to [locales.{code}] (see `espeak-ng --voices`)',
            )
        voice, label = own[owner]
        choices[code] = VoiceChoice(code, voice, label, owner, config.locale_info[owner].name)
    return choices


def _voice_location(config: ProjectConfig, code: str) -> SourceLocation:
    """The line of ``voice`` in ``[locales.<code>]`` (or of the table, or line 1)."""
    from plainlang.config import _Lines

    path = config.root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return SourceLocation(CONFIG_NAME)
    return _Lines(Path(CONFIG_NAME), text).of(f"locales.{code}", "voice")


# -- recordings -------------------------------------------------------------------------------


def recording_dirs(config: ProjectConfig, leaflet_locale: str, case_id: str, text_locale: str
                   ) -> list[Path]:
    """Where a recording of a segment is looked for: the leaflet's locale, then the text's.

    A Spanish passage in an Aymara leaflet (a fallback) uses the recording made for the
    Spanish leaflet, unless the Aymara folder has its own.
    """
    dirs = [config.root / RECORDINGS_DIR / leaflet_locale / case_id]
    if text_locale != leaflet_locale:
        dirs.append(config.root / RECORDINGS_DIR / text_locale / case_id)
    return dirs


def find_recording(
    config: ProjectConfig, leaflet_locale: str, case_id: str, segment: AudioSegment
) -> Path | None:
    """The recording of ``segment``, if a person made one; two of them is an error."""
    for folder in recording_dirs(config, leaflet_locale, case_id, segment.locale):
        found = [
            folder / f"{segment.name}{suffix}"
            for suffix in RECORDING_SUFFIXES
            if os.path.lexists(folder / f"{segment.name}{suffix}")
        ]
        if len(found) > 1:
            raise AudioError(
                f"two recordings of one segment: {', '.join(_shown(p, config) for p in found)}",
                SourceLocation(_shown(found[0], config)),
                hint="keep one of them",
            )
        if found:
            return found[0]
    return None


def _shown(path: Path, config: ProjectConfig) -> str:
    from plainlang.errors import display_path

    return display_path(path, config.root)


def read_recording(path: Path, config: ProjectConfig) -> bytes:
    """The bytes of a recording, read only if it is a regular file inside the project."""
    shown = _shown(path, config)
    where = SourceLocation(shown)
    root = config.root.resolve()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise AudioError("cannot open the recording", where, hint=str(exc)) from exc
    if not real.is_relative_to(root):
        raise AudioError(
            "the recording is outside the project (a link pointing out of it)",
            where, hint="copy the file into recordings/ instead of linking to it",
        )
    try:
        info = real.stat()
        if not stat.S_ISREG(info.st_mode):
            raise AudioError("the recording is not a regular file", where)
        if info.st_size > MAX_RECORDING_BYTES:
            raise AudioError(
                f"the recording is {info.st_size:,} bytes; at most {MAX_RECORDING_BYTES:,}",
                where, hint="record one segment a file, as WAV or Ogg Opus",
            )
        with real.open("rb") as fh:
            data = fh.read(MAX_RECORDING_BYTES + 1)
    except OSError as exc:
        raise AudioError(f"cannot read the recording: {exc.strerror}", where) from exc
    if len(data) > MAX_RECORDING_BYTES:
        raise AudioError("the recording grew while it was read", where)
    return data


def decode_recording(data: bytes, shown: str) -> Samples:
    """A recording's sound as mono float samples at :data:`SAMPLE_RATE`.

    WAV (any PCM or float) and Ogg (Opus or Vorbis), decoded by libsndfile (soundfile);
    anything else, or a file that is cut short, is an AudioError naming the file.
    """
    import numpy as np
    import soundfile

    where = SourceLocation(shown)
    hint = "save it as WAV or Ogg Opus (Audacity: File > Export)"
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sf:
            rate = sf.samplerate
            if not 8_000 <= rate <= 384_000:
                raise AudioError(f"the recording's sample rate is {rate} Hz", where, hint=hint)
            if sf.frames > MAX_RECORDING_SECONDS * rate:
                raise AudioError(
                    f"the recording is longer than {MAX_RECORDING_SECONDS // 60} minutes",
                    where, hint="record one segment a file",
                )
            frames = sf.read(dtype="float32", always_2d=True)
    except AudioError:
        raise
    except (RuntimeError, ValueError, TypeError, EOFError) as exc:  # LibsndfileError too
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise AudioError(f"cannot decode the recording: {message}", where, hint=hint) from exc
    if frames.shape[0] == 0:
        raise AudioError("the recording holds no sound", where, hint=hint)
    mono = np.ascontiguousarray(frames.mean(axis=1), dtype=np.float32)
    if not np.all(np.isfinite(mono)):
        raise AudioError("the recording holds samples that are not numbers", where, hint=hint)
    return _resample(mono, rate)


def _resample(samples: Samples, rate: int) -> Samples:
    import numpy as np
    import soxr

    if rate == SAMPLE_RATE:
        return samples
    out = soxr.resample(samples, rate, SAMPLE_RATE, quality="HQ")
    return np.asarray(out, dtype=np.float32)


# -- speech and encoding ------------------------------------------------------------------------


def _run_tool(args: Sequence[str], data: bytes | None = None) -> bytes:
    """Run espeak-ng; a missing tool or a failure is an AudioError (exit 2)."""
    if shutil.which(args[0]) is None:
        raise AudioError(
            f"{args[0]} is not installed; the audio version needs it",
            hint=f"apt-get install {args[0]} (see the README's install command)",
        )
    try:
        done = subprocess.run(
            list(args), input=data, capture_output=True, timeout=SUBPROCESS_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AudioError(f"{args[0]} took longer than {SUBPROCESS_TIMEOUT} s") from exc
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]
        raise AudioError(f"{args[0]} failed (exit {done.returncode}): {detail}")
    return done.stdout


def _ssml(items: Sequence[AudioSegment | int]) -> str:
    """The SSML espeak-ng reads for a run of segments: text escaped, voices, breaks."""
    parts = ["<speak>"]
    for item in items:
        if isinstance(item, int):
            parts.append(f'<break time="{item}ms"/>')
        else:
            text = xml_escape(item.text)
            parts.append(f'<voice name="{xml_escape(item.voice)}">{text}</voice>')
    parts.append("</speak>")
    return "".join(parts)


def speak(items: Sequence[AudioSegment | int]) -> Samples:
    """espeak-ng reads ``items`` (segments, and pauses in ms between them) in one run."""
    import numpy as np

    first = next(i for i in items if isinstance(i, AudioSegment))
    wav = _run_tool(
        [
            "espeak-ng", "-m", "-s", str(WORDS_PER_MINUTE), "-a", str(AMPLITUDE),
            "-v", first.voice, "--stdout",
        ],
        _ssml(items).encode("utf-8"),
    )
    rate, pcm = _wav_pcm16(wav)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    return _resample(samples, rate)


def _wav_pcm16(data: bytes) -> tuple[int, bytes]:
    """Sample rate and 16-bit samples of espeak-ng's WAV (its sizes are unset on stdout)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("espeak-ng gave no WAV output")
    pos, rate = 12, 22_050
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        if chunk == b"fmt ":
            rate = int.from_bytes(data[pos + 12 : pos + 16], "little")
        if chunk == b"data":
            body = data[pos + 8 :]
            return rate, body[: len(body) // 2 * 2]
        pos += 8 + size + (size & 1)
    raise AudioError("espeak-ng's WAV output has no data")


@dataclass(frozen=True)
class SpokenUnit:
    """One segment with the silence that follows it: what is synthesised, encoded and
    cached once, whichever leaflet says it.

    The pause between two segments is the longer of the first's ``pause_after`` and the
    second's ``pause_before``; it is kept as silence at the end of the first (the first
    segment of a script also gets its ``pause_before`` as silence in front). A boundary
    between two units therefore always falls in silence, where joining two independently
    encoded Opus streams cannot be heard.
    """

    segment: AudioSegment
    lead: int  # ms of silence before the words
    trail: int  # ms of silence after them
    recording: str | None = None  # sha256 of the person's recording that replaces the voice

    def key(self, encoder: Encoder, espeak_version: str) -> str:
        """A hash of everything the unit's Opus packets are made of."""
        import soxr

        s = self.segment
        source = f"recording {self.recording}" if self.recording else f"voice {s.voice}"
        lines = [
            f"plainlang {__version__}",
            "audio unit 1",
            f"espeak-ng {espeak_version} at {WORDS_PER_MINUTE} wpm, amplitude {AMPLITUDE}",
            f"encoder {encoder.describe()}",
            f"soxr {soxr.__version__} rate {SAMPLE_RATE}",
            f"silence {self.lead} {self.trail}",
            source,
            f"{s.locale} {s.text}",
        ]
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def spoken_units(
    segments: Sequence[AudioSegment], recording_hashes: Mapping[str, str] | None = None
) -> list[SpokenUnit]:
    """The script as units: each segment with its silence (see :class:`SpokenUnit`)."""
    hashes = recording_hashes or {}
    units = []
    for index, segment in enumerate(segments):
        lead = segment.pause_before if index == 0 else 0
        following = segments[index + 1].pause_before if index + 1 < len(segments) else 0
        trail = max(segment.pause_after, following)
        units.append(SpokenUnit(segment, lead, trail, hashes.get(segment.name)))
    return units


def unit_samples(unit: SpokenUnit, recording: Samples | None = None) -> Samples:
    """A unit's sound at :data:`SAMPLE_RATE`: its silence, and the voice or the recording."""
    import numpy as np

    words = recording if recording is not None else _trim_tail(speak([unit.segment]))
    return np.concatenate(
        [_silence(unit.lead), words.astype(np.float32, copy=False), _silence(unit.trail)]
    )


#: espeak-ng ends what it reads with about 440 ms of silence (its end of a clause, and of
#: the text); read as one text, a leaflet's segments had about 150 ms between them. The
#: pauses of :data:`PAUSES` come on top of what is kept.
SPOKEN_TAIL_MS = 150
_QUIET = 10 ** (-60 / 20)  # -60 dBFS: below what a phone's speaker plays


def _trim_tail(samples: Samples, keep_ms: int = SPOKEN_TAIL_MS) -> Samples:
    """``samples`` with the silence at their end cut to ``keep_ms`` (the cut is in silence)."""
    import numpy as np

    loud = np.flatnonzero(np.abs(samples) > _QUIET)
    end = int(loud[-1]) + 1 if len(loud) else 0
    return samples[: min(len(samples), end + keep_ms * SAMPLE_RATE // 1000)]


def _silence(ms: int) -> Samples:
    import numpy as np

    return np.zeros(ms * SAMPLE_RATE // 1000, dtype=np.float32)


def synthesize(
    segments: Sequence[AudioSegment], recordings: Mapping[str, Samples] | None = None
) -> Samples:
    """The whole script as mono samples at :data:`SAMPLE_RATE`, unit after unit.

    Each segment is read by espeak-ng on its own (a recorded one is its recording), with
    the pauses of :func:`spoken_units` as silence. This is what the audio file says, less
    the few milliseconds of silence that the encoder adds at each unit's end.
    """
    import numpy as np

    recordings = recordings or {}
    pieces = [unit_samples(u, recordings.get(u.segment.name)) for u in spoken_units(segments)]
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32, copy=False)


@dataclass(frozen=True)
class Encoder:
    """The Opus settings of a voice note (mono, up to 8 kHz, 38 kbit/s, 20 ms frames),
    encoded in this process by libopus (:mod:`plainlang.opus`).

    The encoder is most of the audio version's cost. libopus's CELT layer (``signal``
    "music") at complexity 0 and 38 kbit/s sounds closer to espeak-ng's voice than its
    SILK layer (the speech codec) at 32 kbit/s, for 40 % of its CPU, in files 60 % larger
    (about 40 kbit/s with the Ogg pages). ``bench/opus_layers.py`` measures the settings
    in one run (the table is in ``bench/README.md``): on 160 s of espeak-ng Spanish, SILK
    at 32 kbit/s took 0.37 s of CPU for a log-spectral distance of 6.32 dB (opusenc with
    the same settings 0.98 s), CELT at 38 kbit/s 0.15 s for 5.63 dB.
    """

    bitrate_kbps: int = 38
    complexity: int = 0
    frame_ms: int = 20
    signal: str = "music"

    @property
    def settings(self) -> opus.Settings:
        return opus.Settings(self.bitrate_kbps, self.complexity, self.frame_ms, self.signal)

    def describe(self) -> str:
        """Everything the packets depend on, for the cache's keys."""
        return (
            f"{self.version} application audio, signal {self.signal}, wideband, vbr, "
            f"{self.bitrate_kbps} kbit/s, complexity {self.complexity}, {self.frame_ms} ms"
        )

    @property
    def frame_samples(self) -> int:
        return self.settings.frame_samples

    @functools.cached_property
    def version(self) -> str:
        return _opus_call(opus.version)

    @functools.cached_property
    def preskip(self) -> int:
        """The encoder's look-ahead in samples: its streams' pre-skip."""
        return _opus_call(lambda: opus.lookahead(self.settings))

    def stream(self, samples: Samples) -> OpusStream:
        """``samples`` as one stream, padded with silence to a whole number of frames
        (look-ahead included), so that its packets hold exactly its sound and nothing is
        cut when they are joined to other streams' packets."""
        import numpy as np

        frame = self.frame_samples
        pad = -(len(samples) + self.preskip) % frame
        padded = np.concatenate(
            [samples.astype(np.float32, copy=False), np.zeros(pad + self.preskip, np.float32)]
        )
        packets = tuple(_opus_call(lambda: opus.encode(padded, self.settings)))
        return OpusStream(opus.head(self.preskip), self.version, (), packets, len(padded))


def _opus_call(call: Callable[[], T]) -> T:
    """``call()``, with libopus's failures as AudioErrors (exit 2)."""
    try:
        return call()
    except opus.OpusUnavailable as exc:
        raise AudioError(
            str(exc), hint="apt-get install libopus0 (see the README's install command)"
        ) from exc


def encode_opus(
    samples: Samples, *, serial: int, tags: Mapping[str, str], encoder: Encoder | None = None
) -> bytes:
    """Ogg Opus bytes of mono samples at :data:`SAMPLE_RATE`: no dates, a fixed serial."""
    return join_opus([(encoder or Encoder()).stream(samples)], serial=serial, tags=tags)


def encode_unit(samples: Samples, encoder: Encoder) -> bytes:
    """One unit as its own Ogg Opus stream (see :meth:`Encoder.stream`)."""
    return encode_opus(samples, serial=0, tags={}, encoder=encoder)


# -- Ogg Opus streams, taken apart and joined -------------------------------------------------


@dataclass(frozen=True)
class OpusStream:
    """The parts of a one-stream Ogg Opus file (RFC 7845) that joining needs."""

    head: bytes  # the OpusHead packet
    vendor: str
    comments: tuple[str, ...]
    packets: tuple[bytes, ...]  # the audio packets
    granule: int  # the last page's granule position (pre-skip included)

    @property
    def preskip(self) -> int:
        return int.from_bytes(self.head[10:12], "little")

    @functools.cached_property
    def samples(self) -> int:
        """Samples the audio packets decode to (pre-skip included), at 48 kHz."""
        return sum(opus_packet_samples(p) for p in self.packets)


def opus_packet_samples(packet: bytes) -> int:
    """How many 48 kHz samples an Opus packet decodes to, from its TOC byte (RFC 6716 3.1).

    >>> opus_packet_samples(bytes([0x48]))  # SILK wideband, 20 ms, one frame
    960
    """
    if not packet:
        raise ValueError("an empty Opus packet")
    config, code = packet[0] >> 3, packet[0] & 3
    if config < 12:
        frame = (480, 960, 1920, 2880)[config % 4]
    elif config < 16:
        frame = (480, 960)[config % 2]
    else:
        frame = (120, 240, 480, 960)[config % 4]
    if code == 0:
        count = 1
    elif code in (1, 2):
        count = 2
    else:
        if len(packet) < 2:
            raise ValueError("an Opus packet of code 3 without its frame count")
        count = packet[1] & 0x3F
    return frame * count


def parse_opus(data: bytes) -> OpusStream:
    """Read a one-stream Ogg Opus file; ValueError if it is not one, or is damaged.

    Every page is written again and compared with the bytes read, so a damaged page (a
    wrong CRC, a cut) is found, not joined into a leaflet.
    """
    from mutagen.ogg import OggPage

    stream = io.BytesIO(data)
    pages = []
    while stream.tell() < len(data):
        start = stream.tell()
        try:
            page = OggPage(stream)
        except Exception as exc:  # mutagen raises its own errors, EOFError, struct.error
            raise ValueError(f"not an Ogg page at byte {start}: {exc}") from exc
        if page.write() != data[start : stream.tell()]:
            raise ValueError(f"a damaged Ogg page at byte {start}")
        pages.append(page)
    if not pages or not pages[0].first or not pages[-1].last:
        raise ValueError("not a whole Ogg stream")
    if len({p.serial for p in pages}) != 1:
        raise ValueError("more than one Ogg stream")
    packets = OggPage.to_packets(pages, strict=True)
    if len(packets) < 2 or not packets[0].startswith(b"OpusHead") \
            or not packets[1].startswith(b"OpusTags"):
        raise ValueError("not an Ogg Opus stream")
    vendor, comments = _read_opus_tags(packets[1])
    return OpusStream(packets[0], vendor, comments, tuple(packets[2:]), pages[-1].position)


def _read_opus_tags(packet: bytes) -> tuple[str, tuple[str, ...]]:
    pos = 8

    def take() -> bytes:
        nonlocal pos
        size = int.from_bytes(packet[pos : pos + 4], "little")
        value = packet[pos + 4 : pos + 4 + size]
        if len(value) != size:
            raise ValueError("a cut OpusTags packet")
        pos += 4 + size
        return value

    vendor = take().decode("utf-8", "replace")
    count = int.from_bytes(packet[pos : pos + 4], "little")
    pos += 4
    return vendor, tuple(take().decode("utf-8", "replace") for _ in range(count))


def _opus_tags(vendor: str, comments: Sequence[str]) -> bytes:
    def field(text: str) -> bytes:
        raw = text.encode("utf-8")
        return len(raw).to_bytes(4, "little") + raw

    return b"OpusTags" + field(vendor) + len(comments).to_bytes(4, "little") + b"".join(
        field(c) for c in comments
    )


#: Audio packets per Ogg page: a second of 20 ms frames, as opusenc pages them.
PACKETS_PER_PAGE = 50


def join_opus(streams: Sequence[OpusStream], *, serial: int, tags: Mapping[str, str]) -> bytes:
    """One Ogg Opus file that plays ``streams`` one after the other.

    Their audio packets are put in a stream of its own (``serial``), paged as opusenc pages
    (head and tags each on a page, then a second of audio a page), with the granule
    positions counted again, the tags of the first stream's encoder followed by ``tags``,
    and the end-of-stream mark on the last page. Each stream must have been encoded with
    the same settings (same OpusHead) and fill its packets exactly (as
    :func:`encode_unit` makes them): its last granule position is the sum of its
    packets', nothing to trim at its end.
    """
    from mutagen.ogg import OggPage

    if not streams:
        raise ValueError("nothing to join")
    head = streams[0].head
    for s in streams:
        if s.head != head:
            raise ValueError("Opus streams encoded with other settings cannot be joined")
        if s.granule != s.samples:
            raise ValueError("an Opus stream with samples cut at its end cannot be joined")
    comments = list(streams[0].comments)
    for key, value in tags.items():
        comments.append(f"{key}={' '.join(value.split())}")
    pages: list[OggPage] = []
    first = OggPage()
    first.packets, first.first = [head], True
    pages.append(first)
    tag_pages = OggPage.from_packets([_opus_tags(streams[0].vendor, comments)], 1)
    for page in tag_pages:
        page.position = 0
    pages.extend(tag_pages)
    packets = [p for s in streams for p in s.packets]
    granule = 0
    for start in range(0, len(packets), PACKETS_PER_PAGE):
        page = OggPage()
        page.packets = packets[start : start + PACKETS_PER_PAGE]
        granule += sum(opus_packet_samples(p) for p in page.packets)
        page.position = granule
        pages.append(page)
    pages[-1].last = True
    out = io.BytesIO()
    for sequence, page in enumerate(pages):
        page.serial, page.sequence = serial, sequence
        out.write(page.write())
    return out.getvalue()


# -- the cache of encoded units -----------------------------------------------------------------

#: Where encoded units are kept, in the project: one Ogg Opus file per unit, named by its key.
CACHE_DIR = "build/.cache/audio"
#: Units a process keeps in memory too (about 25 KB each, a few seconds of speech: 25 MB
#: at most); the audiences of one case say most of theirs again (90 units for 12 files).
MEMORY_UNITS = 1024


class UnitCache:
    """Encoded units (:class:`SpokenUnit`) kept on disk under :data:`CACHE_DIR`, by key.

    A unit is synthesised and encoded the first time any leaflet says it; after that its
    packets are read back (checked page by page: a damaged file is made again), and kept
    in memory for the other leaflets of the process (up to :data:`MEMORY_UNITS`). Threads of
    one build that need the same unit wait for the one that makes it. Inside the project
    only: if ``build/`` or the cache folder leads out of it (a link), nothing is kept.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / CACHE_DIR
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._streams: dict[str, OpusStream] = {}
        self.made = 0  # units encoded by this process
        self.reused = 0  # units read from the cache

    def _inside(self) -> bool:
        real_root = self.root.resolve()
        probe = self.folder
        while not probe.exists() and probe != self.root:
            probe = probe.parent
        return probe.resolve().is_relative_to(real_root)

    def get(self, key: str, make: Callable[[], OpusStream]) -> OpusStream:
        """The unit of ``key``: from this process's memory, else from the cache folder, else
        ``make()``'s stream (then kept in both)."""
        from plainlang.fsio import write_bytes_atomic

        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                known = self._streams.get(key)
            if known is not None:  # a key is a hash of what the unit is made of: always good
                self.reused += 1
                return known
            path = self.folder / f"{key}.opus"
            inside = self._inside()
            stream = self._read(path) if inside else None
            if stream is not None:
                self.reused += 1
            else:
                stream = make()
                self.made += 1
                if inside:
                    write_bytes_atomic(path, join_opus([stream], serial=0, tags={}))
            with self._lock:
                if len(self._streams) >= MEMORY_UNITS:
                    self._streams.clear()
                self._streams[key] = stream
            return stream

    @staticmethod
    def _read(path: Path) -> OpusStream | None:
        try:
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_RECORDING_BYTES:
                stream = parse_opus(path.read_bytes())
                if stream.granule == stream.samples:
                    return stream
        except (OSError, ValueError):
            pass  # not there, or damaged: made again
        return None


# -- one leaflet --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioPlan:
    """What one audio file will say and be made of, before anything is synthesised."""

    case: str
    locale: str
    audience: str
    segments: tuple[AudioSegment, ...]
    recordings: Mapping[str, Path]  # segment name -> the recording file used
    recording_hashes: Mapping[str, str]
    voice: VoiceChoice
    tags: Mapping[str, str]
    key: str

    @property
    def relpath(self) -> str:
        return audio_relpath(self.case, self.locale, self.audience)

    @property
    def voices(self) -> list[str]:
        """The espeak-ng voices that read at least one segment."""
        return sorted({s.voice for s in self.segments if s.name not in self.recordings})

    @property
    def recorded(self) -> int:
        """How many segments people recorded."""
        return sum(1 for s in self.segments if s.name in self.recordings)

    @property
    def words(self) -> int:
        return sum(s.words for s in self.segments)

    @property
    def serial(self) -> int:
        """The Ogg stream's serial number: fixed per file, so the bytes are reproducible."""
        return zlib.crc32(self.relpath.encode("utf-8")) & 0x7FFFFFFF


def audio_relpath(case: str, locale: str, audience: str) -> str:
    return f"build/audio/{locale}/{case}-{audience}.ogg"


@dataclass
class AudioOutput:
    plan: AudioPlan
    data: bytes
    seconds: float  # duration of the audio

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def manifest_entry(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "path": plan.relpath,
            "format": "audio",
            "case": plan.case,
            "locale": plan.locale,
            "audience": plan.audience,
            "key": plan.key,
            "sha256": self.sha256,
            "size": len(self.data),
            "duration": round(self.seconds, 2),
            "segments": len(plan.segments),
            "words": plan.words,
            "recorded": plan.recorded,
            "voice": plan.voice.to_json(),
            "voices": plan.voices,
        }


@dataclass
class AudioMaker:
    """Makes the audio versions of one project's leaflets (one per build or worker)."""

    renderer: LeafletRenderer
    encoder: Encoder = field(default_factory=Encoder)

    def __post_init__(self) -> None:
        self.config: ProjectConfig = self.renderer.config
        self.espeak = Espeak.detect()
        self.voices = VoiceTable(choose_voices(self.config, self.espeak), self.espeak)
        self.words = WordsEnvironment(self.renderer)
        # Made here, not on first use: the build's threads share one (and its locks).
        self.cache = UnitCache(self.config.root)

    def leaflet(self, lc: LocalizedCase, audience: str) -> Leaflet:
        """The view model, with who reads it (layouts do not matter to the ear)."""
        view = self.renderer.leaflet(lc, audience, "phone")
        return replace(view, voice=self.voices.choice(lc.locale))

    def plan(self, lc: LocalizedCase, audience: str) -> AudioPlan:
        """The script, the recordings that replace segments of it, and the input key."""
        leaflet = self.leaflet(lc, audience)
        book = Phrasebook(self.renderer, leaflet, self.words)
        case_id = lc.case.id
        first = script(leaflet, book, self.voices)
        found = self._recordings(lc.locale, case_id, first)
        segments = first
        if found:  # the back then says that people read parts of it: a segment more
            segments = script(leaflet, book, self.voices, recorded=frozenset(found))
            found = self._recordings(lc.locale, case_id, segments)
        size = sum(len(s.text) for s in segments)
        if size > MAX_SCRIPT_CHARS:
            raise BuildError(
                f"too long to read aloud: {size:,} characters (at most {MAX_SCRIPT_CHARS:,})",
                hint="shorten the case or its translation",
            )
        hashes = {
            name: hashlib.sha256(read_recording(path, self.config)).hexdigest()
            for name, path in found.items()
        }
        title = leaflet.title.plain
        tags = {"TITLE": title, "LANGUAGE": leaflet.lang}
        if self.config.publisher:
            tags["ARTIST"] = self.config.publisher
        voice = self.voices.choice(lc.locale)
        key = self._key(lc, audience, segments, hashes, tags)
        return AudioPlan(
            case_id, lc.locale, audience, segments, found, hashes, voice, tags, key
        )

    def _recordings(
        self, locale: str, case_id: str, segments: Iterable[AudioSegment]
    ) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for segment in segments:
            if segment.name not in found:
                path = find_recording(self.config, locale, case_id, segment)
                if path is not None:
                    found[segment.name] = path
        return found

    def _key(
        self,
        lc: LocalizedCase,
        audience: str,
        segments: Sequence[AudioSegment],
        hashes: Mapping[str, str],
        tags: Mapping[str, str],
    ) -> str:
        """A hash of everything the audio is made of: the words, voices, recordings, tools."""
        import soxr

        lines = [
            f"plainlang {__version__}",
            "audio 2 (units joined)",
            f"espeak-ng {self.espeak.version} at {WORDS_PER_MINUTE} wpm, amplitude {AMPLITUDE}",
            f"encoder {self.encoder.describe()}",
            f"soxr {soxr.__version__} rate {SAMPLE_RATE}",
            f"leaflet {lc.case.id} {lc.locale} {audience}",
            *(f"tag {k}={v}" for k, v in sorted(tags.items())),
        ]
        for s in segments:
            source = f"recording {hashes[s.name]}" if s.name in hashes else f"voice {s.voice}"
            lines.append(f"{s.name} {s.pause_before} {s.pause_after} {source} {s.text}")
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    def make(self, plan: AudioPlan) -> AudioOutput:
        """The ``.ogg`` bytes of ``plan``: each unit from the cache, or spoken (or its
        recording decoded) and encoded, then all joined into one stream."""
        cache = self.cache
        streams = []
        for unit in spoken_units(plan.segments, plan.recording_hashes):
            def make_unit(unit: SpokenUnit = unit) -> OpusStream:
                recording = None
                path = plan.recordings.get(unit.segment.name)
                if path is not None:
                    recording = decode_recording(
                        read_recording(path, self.config), _shown(path, self.config)
                    )
                return self.encoder.stream(unit_samples(unit, recording))

            key = unit.key(self.encoder, self.espeak.version)
            streams.append(cache.get(key, make_unit))
        data = join_opus(streams, serial=plan.serial, tags=plan.tags)
        played = sum(s.samples for s in streams) - self.encoder.preskip
        return AudioOutput(plan, data, played / SAMPLE_RATE)


# -- what a recording must be called ------------------------------------------------------------


@dataclass(frozen=True)
class RecordingRow:
    """One segment, as `plainlang audio list` shows it."""

    index: int
    segment: AudioSegment
    file: str  # where a person's recording must be saved (project-relative; .wav or .ogg)
    found: str | None  # the recording used now, if any

    def to_json(self) -> dict[str, Any]:
        s = self.segment
        return {
            "index": self.index,
            "name": s.name,
            "file": self.file,
            "recorded": self.found is not None,
            "recording": self.found,
            "kind": s.kind,
            "locale": s.locale,
            "voice": s.voice,
            "text": s.text,
        }


def recording_rows(plan: AudioPlan, config: ProjectConfig) -> list[RecordingRow]:
    """Every segment of ``plan`` in reading order, with the file its recording must be."""
    rows = []
    for index, segment in enumerate(plan.segments, start=1):
        folder = f"{RECORDINGS_DIR}/{plan.locale}/{plan.case}"
        found = plan.recordings.get(segment.name)
        rows.append(
            RecordingRow(
                index,
                segment,
                f"{folder}/{segment.name}.wav",
                _shown(found, config) if found is not None else None,
            )
        )
    return rows


def samples_rms(samples: Samples) -> float:
    """Root mean square of samples (0 for silence), for checks of what was made."""
    import numpy as np

    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0


__all__ = [
    "AudioError",
    "AudioMaker",
    "AudioOutput",
    "AudioPlan",
    "AudioSegment",
    "Encoder",
    "Espeak",
    "Phrasebook",
    "RecordingRow",
    "VoiceChoice",
    "VoiceTable",
    "choose_voices",
    "decode_recording",
    "encode_opus",
    "recording_name",
    "recording_rows",
    "script",
    "synthesize",
]
