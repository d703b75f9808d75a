"""Generate a synthetic plainlang project for the build benchmarks (no network needed).

The text is real: paragraphs, list items, headings, quotes and their Spanish, Quechua and
Aymara translations come from this repository's own sample catalogs, recombined into new
cases of about 250 words each, with lists, quotes and audience blocks. Catalogs are made by
plainlang itself (``extract`` then ``update``) and filled so that every path of the build is
exercised: Spanish complete, Quechua and Aymara partly translated as fuzzy drafts (drafts
and fallbacks to Spanish), and a fourth locale, Asháninka (``cni``), just initialised (all
fallback). The same arguments always give the same project.

    /tmp/venv/bin/python bench/make_project.py                 # 50 cases x 4 locales x 3 audiences
    /tmp/venv/bin/python bench/make_project.py --cases 10 --out /tmp/p
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plainlang.catalogs import UI_DOMAIN, extract, load_po, po_path, serialize_po, update
from plainlang.config import load_config
from plainlang.fsio import write_bytes_atomic, write_text_atomic

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "_project"
SOURCE_LOCALES = ("es", "qu", "ay")
ALL_LOCALES = ("es", "qu", "ay", "cni")
ALL_AUDIENCES = ("youth", "women", "municipality")
PLACES = (
    "Ayacucho", "Cusco", "Puno", "Apurímac", "Huancavelica", "Junín", "Áncash", "Cajamarca",
    "Arequipa", "Moquegua", "Tacna", "Pasco", "Huánuco", "Amazonas", "Loreto", "Ucayali",
)  # fmt: skip
# Share of a case's entries each locale has a translation for (the rest fall back).
TRANSLATED_SHARE = {"es": 1.0, "qu": 0.85, "ay": 0.6, "cni": 0.0}


@dataclass(frozen=True)
class Text:
    """A source text with its translations: locale -> (text, fuzzy)."""

    source: str
    translations: dict[str, tuple[str, bool]] = field(default_factory=dict)

    def __add__(self, other: Text) -> Text:
        joined = {
            loc: (f"{a[0]} {other.translations[loc][0]}", a[1] or other.translations[loc][1])
            for loc, a in self.translations.items()
            if loc in other.translations
        }
        return Text(f"{self.source} {other.source}", joined)

    def suffixed(self, suffix: str) -> Text:
        return Text(
            self.source + suffix,
            {loc: (t + suffix, fz) for loc, (t, fz) in self.translations.items()},
        )

    @property
    def words(self) -> int:
        return len(self.source.split())


def read_pool(repo: Path) -> dict[str, list[Text]]:
    """Texts of the sample catalogs by kind (paragraph, list-item, heading, quote...)."""
    by_id: dict[str, Text] = {}
    kinds: dict[str, str] = {}
    for locale in SOURCE_LOCALES:
        folder = repo / "locales" / locale / "LC_MESSAGES"
        for path in sorted(folder.glob("*.po")):
            if path.stem == UI_DOMAIN:
                continue
            catalog = load_po(path, repo)
            for message in catalog:
                if not message.msgid or message.msgid_plural is not None or not message.msgstr:
                    continue
                kind = next(
                    (c[len("kind: ") :] for c in message.comments if c.startswith("kind: ")),
                    "",
                )
                kinds.setdefault(message.msgid, kind.split(",")[0].strip())
                text = by_id.setdefault(message.msgid, Text(message.msgid))
                text.translations[locale] = (message.msgstr, message.fuzzy)
    pool: dict[str, list[Text]] = {}
    for msgid, text in sorted(by_id.items()):
        if "es" in text.translations:  # Spanish is complete: every kept text has it
            pool.setdefault(kinds[msgid], []).append(text)
    return pool


def make_case(
    index: int, pool: dict[str, list[Text]], words: int, rng: random.Random
) -> tuple[str, list[Text]]:
    """One case's Markdown and the texts it uses (to fill the catalogs with)."""
    place = PLACES[index % len(PLACES)]
    used: list[Text] = []
    taken: set[str] = set()

    def pick(kind: str) -> Text:
        choices = [t for t in pool[kind] if t.source not in taken] or pool[kind]
        text = rng.choice(choices)
        taken.add(text.source)
        return text

    def paragraph() -> Text:
        text = pick("paragraph")
        if text.words < 18:
            text = text + pick("paragraph")
        used.append(text)
        return text

    titles = pool.get("title", []) + pool["heading"]
    base_title = rng.choice(titles)
    taken.add(base_title.source)  # no section heading repeats the title
    title = base_title.suffixed(f" ({place})")
    # The sample's third summary says "this is an example story": true only of its own case.
    summaries = [t for t in pool.get("summary", []) if "example" not in t.source]
    summary = rng.choice(summaries) if summaries else None
    used.append(title)
    if summary is not None:
        used.append(summary)
    lines = ["---", f'title: "{_yaml(title.source)}"']
    if summary is not None:
        lines.append(f'summary: "{_yaml(summary.source)}"')
    lines.append(f"audiences: [{', '.join(ALL_AUDIENCES)}]")
    if index % 2 == 0:
        lines.append(f"qr: https://example.org/cases/case-{index:03d}")
    # Not both a QR code and a date: with the notes on drafts and fallbacks that Quechua
    # and Aymara leaflets carry, the trifold's back panel cannot hold them all (a layout
    # limit the build reports; the benchmark wants leaflets that are made).
    if index % 6 == 3:
        lines.append(f"date: 2024-{1 + index % 12:02d}-{1 + index % 28:02d}")
    lines += ["---", f"# {title.source}", ""]
    count = title.words + (summary.words if summary else 0)
    body: list[str] = []

    def add_paragraph() -> None:
        nonlocal count
        text = paragraph()
        body.extend([text.source, ""])
        count += text.words

    add_paragraph()
    # Three sections at most: the trifold's cover lists the section headings, and a long
    # list in Quechua would not fit there. Further words go into the last section.
    for section in range(3):
        if count >= words - 30:  # the two audience blocks below add about 30 words
            break
        heading = pick("heading")
        used.append(heading)
        body.extend([f"## {heading.source}", ""])
        count += heading.words
        add_paragraph()
        if section == 0:
            ordered = rng.random() < 0.5
            for n in range(rng.randint(3, 5)):
                item = pick("list-item")
                used.append(item)
                body.append(f"{n + 1}. {item.source}" if ordered else f"- {item.source}")
                count += item.words
            body.append("")
        elif section == 1:
            # The trifold prints a quote on its back panel, beside the QR code and the notes
            # on drafts: a quote of more than about 20 words does not fit there.
            quote = rng.choice([t for t in pool["quote"] if t.words <= 20] or pool["quote"])
            used.append(quote)
            body.extend([f"> {quote.source}", ">"])
            count += quote.words
            if pool.get("attribution"):
                who = pick("attribution")
                used.append(who)
                body.append(f"> — {who.source}")
            body.append("")
    while count < words - 30:
        add_paragraph()
    # Audience blocks: one for youth, one shared by women and municipality.
    # They print on the trifold's inside flap, which has little room: short paragraphs only.
    short = [t for t in pool["paragraph"] if t.words <= 22 and t.source not in taken]
    for audiences in (("youth",), ("women", "municipality")):
        text = rng.choice(short)
        taken.add(text.source)
        used.append(text)
        body.extend([f"::: {' '.join(audiences)}", text.source, ":::", ""])
    return "\n".join(lines + body).rstrip() + "\n", used


def _yaml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def config_text(locales: Sequence[str], audiences: Sequence[str], layouts: Sequence[str]) -> str:
    def toml_list(items: Sequence[str]) -> str:
        return "[" + ", ".join(f'"{x}"' for x in items) + "]"

    out = [
        "# Synthetic project made by bench/make_project.py: do not edit, regenerate.",
        "[project]",
        'name = "plainlang-bench"',
        'source_locale = "en"',
        f"locales = {toml_list(locales)}",
        f"audiences = {toml_list(audiences)}",
        f"layouts = {toml_list(layouts)}",
        'publisher = "plainlang benchmark"',
        'contact = "https://example.org/"',
        "",
        "[locales.es]",
        "use_fuzzy = false",
        "",
        "[locales.qu]",
        'name = "Runasimi"',
        'english_name = "Quechua"',
        'fallback = ["es"]',
        "use_fuzzy = true",
        "",
        "[locales.ay]",
        'name = "Aymar aru"',
        'english_name = "Aymara"',
        'plural_forms = "nplurals=2; plural=(n != 1);"',
        'fallback = ["es"]',
        "use_fuzzy = true",
        "",
        "[locales.cni]",
        'name = "Asháninka"',
        'english_name = "Asháninka"',
        'plural_forms = "nplurals=2; plural=(n != 1);"',
        'fallback = ["es"]',
        "",
    ]
    return "\n".join(out)


def fill_catalogs(
    root: Path, texts: dict[str, dict[str, Text]], locales: Sequence[str], seed: int
) -> None:
    """Give each locale's PO files their share of translations (see TRANSLATED_SHARE)."""
    config = load_config(root)
    rng = random.Random(seed)
    for locale in locales:
        share = TRANSLATED_SHARE.get(locale, 0.0)
        for domain, by_source in sorted(texts.items()):
            path = po_path(config, locale, domain)
            if not path.exists():  # a ui.po the theme's own translations make unnecessary
                continue
            catalog = load_po(path, root, domain=domain)
            for message in catalog:
                if not message.msgid or message.msgid_plural is not None:
                    continue
                text = by_source.get(message.msgid)
                found = text.translations.get(locale) if text else None
                if found is None or rng.random() >= share:
                    continue
                message.msgstr = found[0]
                if found[1]:
                    message.fuzzy = True
            write_bytes_atomic(path, serialize_po(catalog))


def make_project(
    out: Path,
    cases: int = 50,
    locales: int = 4,
    audiences: int = 3,
    layouts: Sequence[str] = ("trifold", "phone"),
    words: int = 250,
    seed: int = 1,
) -> Path:
    """Write the project into ``out`` (replacing it) and return ``out``."""
    if not 1 <= locales <= len(ALL_LOCALES) or not 1 <= audiences <= len(ALL_AUDIENCES):
        raise SystemExit(f"--locales 1..{len(ALL_LOCALES)}, --audiences 1..{len(ALL_AUDIENCES)}")
    pool = read_pool(REPO)
    if out.exists():
        shutil.rmtree(out)
    (out / "content" / "cases").mkdir(parents=True)
    chosen_locales = ALL_LOCALES[:locales]
    write_text_atomic(
        out / "plainlang.toml", config_text(chosen_locales, ALL_AUDIENCES[:audiences], layouts)
    )
    texts: dict[str, dict[str, Text]] = {}
    for index in range(1, cases + 1):
        case_id = f"case-{index:03d}"
        markdown, used = make_case(index, pool, words, random.Random(seed * 100_003 + index))
        write_text_atomic(out / "content" / "cases" / f"{case_id}.md", markdown)
        texts[case_id] = {t.source: t for t in used}
    config = load_config(out)
    extract(config)
    update(config)
    texts[UI_DOMAIN] = read_ui_translations(REPO)
    fill_catalogs(out, texts, chosen_locales, seed)
    return out


def read_ui_translations(repo: Path) -> dict[str, Text]:
    """The sample project's translations of the template strings (``ui`` domain)."""
    texts: dict[str, Text] = {}
    for locale in SOURCE_LOCALES:
        path = repo / "locales" / locale / "LC_MESSAGES" / f"{UI_DOMAIN}.po"
        if not path.is_file():
            continue
        catalog = load_po(path, repo)
        for message in catalog:
            if message.msgid_plural is not None:
                continue
            if message.msgid and message.msgstr:
                text = texts.setdefault(message.msgid, Text(message.msgid))
                text.translations[locale] = (message.msgstr, message.fuzzy)
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="[bench/_project]")
    parser.add_argument("--cases", type=int, default=50, help="number of cases [50]")
    parser.add_argument("--locales", type=int, default=4, help="es, qu, ay, cni: first N [4]")
    parser.add_argument("--audiences", type=int, default=3, help="first N of 3 [3]")
    parser.add_argument(
        "--layouts",
        default="trifold,phone",
        help="comma-separated [trifold,phone]; a 250-word case is too long for a flyer",
    )
    parser.add_argument("--words", type=int, default=250, help="words per case, about [250]")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    out = make_project(
        args.out,
        cases=args.cases,
        locales=args.locales,
        audiences=args.audiences,
        layouts=tuple(x for x in args.layouts.split(",") if x),
        words=args.words,
        seed=args.seed,
    )
    print(f"wrote {out}: {args.cases} cases x {args.locales} locales x {args.audiences} audiences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
