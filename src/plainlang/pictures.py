"""Pictures a case shows: found, confined to the project and bounded before anything reads them.

A picture is a paragraph holding only ``![what it shows](src)``. ``src`` is a path relative
to the case's folder (``content/cases/``), percent-encoded as Markdown links are
(``<mapa ñandú.png>`` or ``mapa%20%C3%B1and%C3%BA.png``), or a ``data:`` PNG, JPEG or GIF.
Before a build hashes or reads a picture, :func:`case_pictures` resolves its path (``..``,
symlinks) and reads it through :func:`plainlang.fsio.read_project_file`: it must be a
regular file inside the project, of at most :data:`MAX_PICTURE_BYTES`. A picture on the
network, outside the project, a folder, a FIFO, a device, too large, or a ``data:`` URL
that does not hold the image it says, is a content error at the case file's line. A
picture that does not exist (yet) is a warning: the leaflet is made without it.
"""

from __future__ import annotations

import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from plainlang.config import ProjectConfig
from plainlang.content import Case, Image, iter_blocks
from plainlang.errors import ContentError, SourceLocation
from plainlang.fsio import read_project_file

#: Largest picture file a case may show: a photo for a leaflet is well under it.
MAX_PICTURE_BYTES = 16 * 1024 * 1024
#: Largest ``data:`` picture, decoded: inline pictures are icons; photos belong in files.
MAX_DATA_PICTURE_BYTES = 512 * 1024

#: ``data:`` images allowed, with the bytes each must start with. SVG is left out on
#: purpose: it can carry references to other URLs and is easy to hide script-like content in.
DATA_IMAGE_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


@dataclass(frozen=True)
class Picture:
    """One picture of a case: where it is written, and what it resolved to.

    ``path`` is the file (inside the project) for a file picture, ``None`` for a
    ``data:`` one; ``sha256`` is the hash of its bytes, or ``"missing"``.
    """

    src: str
    location: SourceLocation
    path: Path | None
    sha256: str

    @property
    def missing(self) -> bool:
        return self.sha256 == "missing"

    def warning(self) -> str | None:
        """The warning a leaflet records for this picture (None when all is well)."""
        if not self.missing:
            return None
        return (
            f"{self.location}: warning: picture '{self.src}' not found; the leaflet is made"
            " without it (put the file there, or fix its path)"
        )


def decode_data_image(url: str, max_bytes: int = MAX_DATA_PICTURE_BYTES) -> tuple[str, bytes]:
    """The media type and bytes of a ``data:`` PNG, JPEG or GIF; ValueError says what is wrong.

    >>> decode_data_image("data:image/gif;base64,R0lGODlhAQABAAAAACw=")[0]
    'image/gif'
    """
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise ValueError("a data: URL needs a comma before its data")
    params = [p.strip().lower() for p in header.split(";")]
    media_type = params[0] or "text/plain"
    if media_type not in DATA_IMAGE_MAGIC:
        raise ValueError(f"it holds {media_type}; only PNG, JPEG and GIF pictures are allowed")
    base64 = "base64" in params[1:]
    # Base64 takes 4 characters for 3 bytes, percent-encoding 3 for 1: bound before decoding.
    if len(payload) > (max_bytes * 4 // 3 + 4 if base64 else max_bytes * 3):
        raise ValueError(f"it is larger than {max_bytes:,} bytes")
    raw = unquote_to_bytes(payload)
    if base64:
        try:
            raw = binascii.a2b_base64(raw)
        except binascii.Error as exc:
            raise ValueError(f"its base64 is broken ({exc})") from exc
    if len(raw) > max_bytes:
        raise ValueError(f"it is {len(raw):,} bytes, more than {max_bytes:,}")
    if not raw.startswith(DATA_IMAGE_MAGIC[media_type]):
        raise ValueError(f"it says {media_type} but does not hold one")
    return media_type, raw


def picture_file(src: str, config: ProjectConfig) -> Path | None:
    """The file a relative picture path names (not checked, not read); None for any other.

    Markdown percent-encodes link addresses (``ñ`` is ``%C3%B1``, a space ``%20``): the
    path is decoded once here, so the file named ``mapa ñandú.png`` is the one found.
    """
    if not src or src.startswith(("data:", "/", "\\")) or _has_scheme(src):
        return None
    return config.content_dir / unquote(src)


def picture_url(src: str, config: ProjectConfig) -> str:
    """The URL the leaflet HTML gives a picture: a ``file:`` URL, or ``src`` as written.

    Whatever it is, the PDF stage's fetcher serves only files inside the project.
    """
    path = picture_file(src, config)
    return path.resolve().as_uri() if path is not None else src


def _has_scheme(src: str) -> bool:
    try:
        parts = urlsplit(src)
    except ValueError:
        return True
    return bool(parts.scheme) or src.startswith("//")


def resolve_picture(src: str, location: SourceLocation, config: ProjectConfig) -> Picture:
    """Check and read one picture; a :class:`ContentError` at ``location`` if it cannot be.

    The file is read (at most :data:`MAX_PICTURE_BYTES`) only after its path is confined.
    """
    shown = src if len(src) <= 80 else src[:77] + "..."
    if not src:
        raise ContentError("a picture needs a file: ![what it shows](file.png)", location)
    if src.startswith("data:"):
        try:
            _, raw = decode_data_image(src)
        except ValueError as exc:
            raise ContentError(
                f"data: picture refused: {exc}",
                location,
                hint="save the picture as a file under content/ and write its path",
            ) from None
        return Picture(src, location, None, hashlib.sha256(raw).hexdigest())
    path = picture_file(src, config)
    if path is None:
        remote = _has_scheme(src)
        raise ContentError(
            f"picture '{shown}' is "
            + ("not a file of the project" if remote else "an absolute path"),
            location,
            hint="leaflets fetch nothing from the network: save the picture under content/"
            " and write its path"
            if remote
            else "write the path relative to the case's folder, content/cases/",
        )
    try:
        data = read_project_file(
            path,
            config.root,
            max_bytes=MAX_PICTURE_BYTES,
            error=ContentError,
            missing_ok=True,
            too_big_hint="make the picture smaller: a leaflet prints it a few centimetres wide",
        )
    except ContentError as exc:
        raise ContentError(f"picture '{shown}' {exc.message}", location, hint=exc.hint) from None
    if data is None:
        return Picture(src, location, path, "missing")
    return Picture(src, location, path, hashlib.sha256(data).hexdigest())


def case_pictures(case: Case, config: ProjectConfig) -> list[Picture]:
    """Every picture of ``case``, in source order, checked and read (see the module doc)."""
    return [
        resolve_picture(block.src, SourceLocation(case.path, block.alt.line), config)
        for block in iter_blocks(case.blocks)
        if isinstance(block, Image)
    ]
