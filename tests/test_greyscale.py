"""The greyscale step on PDFs WeasyPrint makes from colourful HTML: rendered back, every pixel grey."""

from __future__ import annotations

import base64
import io

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

from plainlang.colours import luma
from plainlang.greyscale import GreyscaleError, greyscale_pdf


def _png(colour: tuple[int, int, int], alpha: bool = False) -> str:
    image = Image.new("RGBA" if alpha else "RGB", (8, 8), colour + ((128,) if alpha else ()))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _jpeg(colour: tuple[int, int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="JPEG", quality=95)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


COLOURFUL = f"""<!doctype html><html lang="es"><head><style>
@page {{ size: A6; margin: 5mm }}
body {{ margin: 0; font-family: sans-serif }}
h1 {{ color: #a1004d; background: #ffd23f; font-size: 14pt }}
.lab {{ color: lab(40% 60 30); border: 2mm solid oklch(60% 0.2 140) }}
.grad {{ height: 10mm; background: linear-gradient(to right, #15615a, #ff0000) }}
.radial {{ height: 10mm; background: radial-gradient(circle, #0000ff, #ffff00) }}
.half {{ opacity: 0.5; background: #00ff00; height: 4mm }}
img {{ width: 12mm; height: 12mm }}
</style></head><body>
<h1>Título en color</h1><p class="lab">Texto en lab()</p>
<div class="grad"></div><div class="radial"></div><div class="half"></div>
<svg width="40" height="20" viewBox="0 0 40 20"><circle cx="10" cy="10" r="9" fill="#15615a"/>
<rect x="22" y="2" width="16" height="16" fill="none" stroke="rgb(200 30 30)" stroke-width="3"/></svg>
<img src="{_png((200, 40, 90))}" alt=""><img src="{_png((20, 160, 220), alpha=True)}" alt="">
<img src="{_jpeg((250, 120, 0))}" alt="">
</body></html>"""


def _render(html: str) -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))


def _grey(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        greyscale_pdf(doc)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
        return out.getvalue()


def _spread(pdf: bytes, scale: float = 2) -> int:
    worst = 0
    for page in pdfium.PdfDocument(pdf):
        r, g, b = page.render(scale=scale).to_pil().convert("RGB").split()
        for x, y in ((r, g), (g, b), (r, b)):
            worst = max(worst, ImageChops.difference(x, y).getextrema()[1])
    return worst


def test_colourful_page_becomes_grey_pixel_by_pixel() -> None:
    colour = _render(COLOURFUL)
    assert _spread(colour) > 100  # magenta, yellow, teal, blue: far from grey
    grey = _grey(colour)
    assert _spread(grey) <= 1


def test_greys_are_the_luma_of_the_colours() -> None:
    """A flat #a1004d box prints as luma(#a1004d): the grey the contrast check measures."""
    html = """<html><head><style>@page { size: 40mm 40mm; margin: 0 } body { margin: 0 }
      div { width: 40mm; height: 40mm; background: #a1004d }</style></head><body><div></div></body></html>"""
    grey = _grey(_render(html))
    pixel = pdfium.PdfDocument(grey)[0].render(scale=1).to_pil().convert("RGB").getpixel((50, 50))
    expected = round(luma((0xA1 / 255, 0, 0x4D / 255)) * 255)
    assert all(abs(c - expected) <= 1 for c in pixel), (pixel, expected)


def test_images_become_8_bit_devicegray_and_keep_their_alpha() -> None:
    grey = _grey(_render(COLOURFUL))
    with pikepdf.open(io.BytesIO(grey)) as doc:
        images = [
            x for x in doc.pages[0].Resources.XObject.values() if x.Subtype == pikepdf.Name.Image
        ]
        assert len(images) == 3
        for image in images:
            assert image.ColorSpace == pikepdf.Name.DeviceGray and image.BitsPerComponent == 8
        assert sum("/SMask" in image for image in images) == 1  # the half-transparent PNG
        (masked,) = (image for image in images if "/SMask" in image)
        assert pikepdf.PdfImage(masked.SMask).as_pil_image().getextrema() == (128, 128)


def test_text_stays_text_and_tagging_stays() -> None:
    grey = _grey(_render(COLOURFUL))
    page = pdfium.PdfDocument(grey)[0]
    assert "Título en color" in page.get_textpage().get_text_range()
    with pikepdf.open(io.BytesIO(grey)) as doc:
        assert "/StructTreeRoot" in doc.Root and str(doc.Root.Lang) == "es"


def test_same_bytes_twice() -> None:
    colour = _render(COLOURFUL)
    assert _grey(colour) == _grey(colour)


def test_a_separation_colour_is_an_error_naming_the_page() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.add_blank_page()
    page.Resources = pikepdf.Dictionary(
        ColorSpace=pikepdf.Dictionary(
            CS0=pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name("/Gold"), pikepdf.Name.DeviceCMYK,
                               pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[0, 0.2, 0.8, 0.1], N=1)])
        )
    )
    page.Contents = pdf.make_stream(b"/CS0 cs 1 sc 0 0 10 10 re f")
    with pytest.raises(GreyscaleError) as info:
        greyscale_pdf(pdf)
    assert info.value.message.startswith("page 2 cannot be printed in greyscale: a Separation colour space")


def test_cmyk_and_device_spaces_by_hand() -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(30, 10))
    page.Contents = pdf.make_stream(
        b"0 1 1 0 k 0 0 10 10 re f /DeviceRGB cs 0 0 1 sc 10 0 10 10 re f 1 0 0 RG 2 w 20 0 10 10 re S"
    )
    greyscale_pdf(pdf)
    ops = [(op.operator, list(op.operands)) for op in pikepdf.parse_content_stream(pdf.pages[0])]
    colour_ops = [(str(o), [float(v) for v in a if not isinstance(v, pikepdf.Name)]) for o, a in ops
                  if str(o) in ("g", "G", "sc", "cs", "k", "rg", "RG")]
    assert colour_ops == [
        ("g", [round(luma((1, 0, 0)), 4)]),
        ("cs", []),
        ("sc", [round(luma((0, 0, 1)), 4)]),
        ("G", [round(luma((1, 0, 0)), 4)]),
    ]
    assert ops[[str(o) for o, _ in ops].index("cs")][1] == [pikepdf.Name.DeviceGray]
