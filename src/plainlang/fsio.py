"""The disk, at one boundary: confined reads, atomic writes, and what a killed run left.

Reads of project files go through :func:`read_project_file`: the path is resolved
(symlinks, ``..``) and must stay inside the project; only regular files are opened, and
never in a way that can block (a FIFO) or follow a link swapped in at the last moment; a
file over its size bound is refused before it is read. Cases, pictures, avoid-word lists,
glossaries, ``plainlang.toml`` and PO files are read through it, so nothing outside the
project is opened, read or hashed, and no error can quote a file outside it.

Writes are atomic: a temp file beside the target (``.<name>.<pid>-<random>.tmp``), fsync,
rename. An interrupted run leaves either the old file or the new one, never half of one;
the next run that writes in that folder removes the temp files a killed run left there
(:func:`remove_stale_temp_files`). A write that fails (read-only folder, full disk, a file
where a folder should be) is an :class:`~plainlang.errors.OutputError` naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Literal, overload

from plainlang.errors import OutputError, PlainlangError, SourceLocation

#: Temp files of :func:`write_bytes_atomic`: ``.<name>.<pid>-<8 random>.tmp``; the older
#: form without a pid is matched too.
_TEMP_RE = re.compile(r"^\..+\.(?:(\d+)-)?[A-Za-z0-9_]{8}\.tmp$")
_READ_CHUNK = 1 << 20


# -- reads ------------------------------------------------------------------------------------


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


@overload
def read_project_file(
    path: Path,
    root: Path | None,
    *,
    max_bytes: int,
    error: type[PlainlangError] = ...,
    shown: str | None = ...,
    missing_ok: Literal[False] = ...,
    too_big_hint: str | None = ...,
) -> bytes: ...


@overload
def read_project_file(
    path: Path,
    root: Path | None,
    *,
    max_bytes: int,
    error: type[PlainlangError] = ...,
    shown: str | None = ...,
    missing_ok: Literal[True],
    too_big_hint: str | None = ...,
) -> bytes | None: ...


def read_project_file(
    path: Path,
    root: Path | None,
    *,
    max_bytes: int,
    error: type[PlainlangError] = PlainlangError,
    shown: str | None = None,
    missing_ok: bool = False,
    too_big_hint: str | None = None,
) -> bytes | None:
    """The bytes of ``path``, a regular file inside the project folder ``root``.

    Refused with ``error`` (a :class:`~plainlang.errors.PlainlangError` subclass: the
    caller's stage, e.g. ``ContentError``), located at ``shown`` (default: the path
    relative to ``root``), and before a byte is read: a path that resolves outside
    ``root`` (through ``..``, an absolute path or a symlink; the error never names or
    quotes what is outside), a folder, a FIFO, a socket or a device, a file of more than
    ``max_bytes``. A missing file is an error too, or ``None`` with ``missing_ok``.
    ``root=None`` reads a file the user named outside any project (``plainlang check
    FILE``): every refusal but confinement still applies.

    The file is opened with ``O_NONBLOCK`` (a FIFO cannot hang the run) and
    ``O_NOFOLLOW`` on its resolved path (a link swapped in after the check is refused),
    then checked with ``fstat`` on the open descriptor, so what is read is what was
    checked. ``too_big_hint`` is the hint of a refusal for size (what the bound is for).
    """
    if shown is None:
        shown = _display(path, root)
    where = SourceLocation(shown)
    if "\x00" in str(path):
        raise error("no such file (its name holds a NUL byte)", where)
    target = os.path.abspath(path)
    if root is not None:
        real_root = os.path.realpath(root)
        target = os.path.realpath(path)
        if not _inside(target, real_root):
            lexical = os.path.normpath(os.path.join(os.path.abspath(root), path))
            linked = _inside(lexical, os.path.abspath(root)) or _inside(lexical, real_root)
            raise error(
                "is a link to a file outside the project" if linked else "is outside the project",
                where,
                hint="plainlang reads only files inside the project folder: copy the file in",
            )
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
    if root is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise error("no such file", where) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error("changed into a link while it was read", where) from None
        if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise error("is a socket or a device, not a file", where) from None
        raise error(f"cannot read: {exc.strerror or exc}", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"is {_kind(st.st_mode)}, not a file", where)
        if st.st_size > max_bytes:
            raise error(
                f"is {st.st_size:,} bytes; at most {max_bytes:,} are read",
                where,
                hint=too_big_hint,
            )
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            try:
                chunk = os.read(fd, min(_READ_CHUNK, max_bytes + 1 - size))
            except OSError as exc:
                raise error(f"cannot read: {exc.strerror or exc}", where) from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # grew while it was read
            raise error(f"is more than {max_bytes:,} bytes", where, hint=too_big_hint)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _display(path: Path, root: Path | None) -> str:
    base = Path(os.path.abspath(root)) if root is not None else Path.cwd()
    full = Path(os.path.abspath(path))
    try:
        return full.relative_to(base).as_posix()
    except ValueError:
        return str(path)


# -- writes -----------------------------------------------------------------------------------


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating parent folders.

    Raises :class:`~plainlang.errors.OutputError` (with the old file, if any, untouched)
    when the folder cannot be made or written, the disk is full, or a folder stands where
    the file should be.
    """
    try:
        _make_folder(path.parent)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise write_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from exc
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (``\\n`` line ends)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly ``data``; True if written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise write_error(path, exc) from exc
    write_bytes_atomic(path, data)
    return True


def ensure_writable_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) and prove it takes a file, before any work is done.

    A build that would fail writing its first PDF fails here instead, once, with the
    reason: a file named like the folder, a read-only file system, no permission, a full
    disk.
    """
    try:
        _make_folder(folder)
        fd, probe = tempfile.mkstemp(
            prefix=f".plainlang-probe.{os.getpid()}-", suffix=".tmp", dir=folder
        )
    except OSError as exc:
        raise write_error(folder, exc) from exc
    os.close(fd)
    os.unlink(probe)


def _make_folder(folder: Path) -> None:
    blocking = _file_in_the_way(folder)
    if blocking is not None:
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way", str(blocking))
    folder.mkdir(parents=True, exist_ok=True)


def _file_in_the_way(folder: Path) -> Path | None:
    """The first of ``folder`` and its parents that exists and is not a folder."""
    for candidate in (*reversed(folder.parents), folder):
        try:
            st = candidate.stat()
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode):
            return candidate
    return None


def write_error(path: Path, exc: OSError) -> OutputError:
    """The one-line error for a failed write of ``path``, with what to do about it."""
    code = exc.errno
    if code in (errno.ENOTDIR, errno.EEXIST):
        blocking = _file_in_the_way(path.parent) or path
        return OutputError(
            "is a file, not a folder",
            SourceLocation(_display(blocking, None)),
            hint="move it away or rename it: plainlang writes its outputs in a folder of that name",
        )
    where = SourceLocation(_display(path, None))
    if code == errno.EISDIR:
        return OutputError(
            "is a folder, not a file",
            where,
            hint="remove or rename that folder: plainlang writes a file there",
        )
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError(
            "cannot write: the disk is full",
            where,
            hint="free some space and run again; no file was half-written",
        )
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = "the file system is read-only" if code == errno.EROFS else "no permission to write"
        return OutputError(
            f"cannot write: {what}",
            where,
            hint="run in a folder you can write to, or make this one writable",
        )
    return OutputError(f"cannot write: {exc.strerror or exc}", where)


# -- what killed runs left ------------------------------------------------------------------


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Remove the temp files killed runs left under ``folder``; returns what was removed.

    Only files named as :func:`write_bytes_atomic` names them, and only those of processes
    that are gone: another run writing in the same folder right now keeps its own.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.rglob(".*.tmp"):
        match = _TEMP_RE.match(path.name)
        if match is None or (match.group(1) and _alive(int(match.group(1)))):
            continue
        try:
            if stat.S_ISDIR(path.lstat().st_mode):
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process writes in other threads (serve), never a stale file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True for a process that has exited but is not yet reaped (Linux ``/proc``).

    A worker of a killed build is such a process until its new parent (the init process)
    collects it, and a slow init (in a container) keeps it so: it writes nothing more.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            fields = stat_file.read().rpartition(b")")[2].split()
    except OSError:
        return False
    return bool(fields) and fields[0] in (b"Z", b"X")
