"""The overhead benchmark's baseline: WeasyPrint alone renders HTML files to PDF.

One process, one ``FontConfiguration`` for every document (as plainlang's workers keep
one), the same files plainlang uses (the shipped theme's folder, where the HTML's
stylesheet links point when the project overrides nothing) and the same PDF variant
(PDF/UA-1, which plainlang always writes). Nothing of plainlang is imported.
``bench/run.py`` runs it; by hand:

    python bench/weasyprint_baseline.py --base-url src/plainlang/data/theme --out /tmp/o *.html
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def render_all(
    html_files: Sequence[Path], base_url: Path, out_dir: Path, pdf_variant: str | None
) -> int:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    out_dir.mkdir(parents=True, exist_ok=True)
    for index, html in enumerate(html_files):
        document = weasyprint.HTML(filename=str(html), base_url=str(base_url))
        document.write_pdf(
            out_dir / f"{index:05d}.pdf", font_config=font_config, pdf_variant=pdf_variant
        )
    return len(html_files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pdf-variant", default="pdf/ua-1", help="[pdf/ua-1]; 'none' for plain")
    parser.add_argument("html", type=Path, nargs="+")
    args = parser.parse_args(argv)
    variant = None if args.pdf_variant == "none" else args.pdf_variant
    count = render_all(args.html, args.base_url.resolve(), args.out, variant)
    print(f"rendered {count} PDFs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
