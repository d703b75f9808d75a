"""libopus, called in this process through :mod:`ctypes`: mono float samples in, Opus
packets out.

This is the one place plainlang talks to libopus (``libopus.so.0``, Debian's ``libopus0``,
which the README's install command brings with ``opus-tools``). Encoding in process
rather than through ``opusenc`` costs a third of the CPU for the same packets' settings
(``bench/README.md``): ``opusenc`` reads raw samples through a pipe and frames them with
libopusenc, where plainlang already has the samples in memory and frames its own Ogg
pages (:func:`plainlang.audio.join_opus`).

Each call to :func:`encode` makes an encoder of its own and destroys it, so that the
packets of a piece of sound depend only on that sound and the settings: the same bytes
whichever leaflet, thread or process encodes it.
"""

from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: The rate libopus is fed at, and the rate of every Ogg Opus granule position.
RATE = 48_000

# From opus_defines.h (libopus 1.x; these numbers are part of its ABI).
_APPLICATION_AUDIO = 2049
_SET_BITRATE = 4002
_SET_MAX_BANDWIDTH = 4004
_SET_VBR = 4006
_SET_COMPLEXITY = 4010
_SET_VBR_CONSTRAINT = 4020
_SET_SIGNAL = 4024
_GET_LOOKAHEAD = 4027
_SIGNALS = {"voice": 3001, "music": 3002}
_BANDWIDTH_WIDEBAND = 1103
#: The largest packet libopus is asked to write (its own recommended bound is 4000 bytes).
_MAX_PACKET = 4000


class OpusUnavailable(RuntimeError):
    """libopus could not be loaded, or refused the settings."""


@dataclass(frozen=True)
class Settings:
    """What the packets are made with (mono, up to wideband, VBR).

    ``signal`` is libopus's hint: ``"voice"`` leads it to its SILK layer, ``"music"`` (at
    these bitrates) to its CELT layer.
    """

    bitrate_kbps: int
    complexity: int
    frame_ms: int
    signal: str = "music"

    @property
    def frame_samples(self) -> int:
        return self.frame_ms * RATE // 1000


@functools.cache
def _library() -> Any:
    try:
        lib = ctypes.CDLL("libopus.so.0")
    except OSError as exc:
        raise OpusUnavailable(f"libopus cannot be loaded: {exc}") from exc
    lib.opus_get_version_string.restype = ctypes.c_char_p
    lib.opus_get_version_string.argtypes = []
    lib.opus_strerror.restype = ctypes.c_char_p
    lib.opus_strerror.argtypes = [ctypes.c_int]
    lib.opus_encoder_create.restype = ctypes.c_void_p
    lib.opus_encoder_create.argtypes = [
        ctypes.c_int32, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int)
    ]
    lib.opus_encoder_destroy.restype = None
    lib.opus_encoder_destroy.argtypes = [ctypes.c_void_p]
    lib.opus_encode_float.restype = ctypes.c_int32
    lib.opus_encode_float.argtypes = [
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int32
    ]
    # opus_encoder_ctl is variadic: its arguments are given typed at each call (on the
    # x86-64 and AArch64 Linux ABIs a variadic int or pointer is passed as a fixed one).
    lib.opus_encoder_ctl.restype = ctypes.c_int
    return lib


def version() -> str:
    """libopus's own name for itself, e.g. ``libopus 1.3.1`` (the streams' vendor)."""
    return str(_library().opus_get_version_string().decode("ascii", "replace"))


def _check(code: int, what: str) -> None:
    if code < 0:
        message = _library().opus_strerror(code).decode("ascii", "replace")
        raise OpusUnavailable(f"libopus refused {what}: {message}")


class _Encoder:
    def __init__(self, settings: Settings) -> None:
        lib = _library()
        error = ctypes.c_int(0)
        handle = lib.opus_encoder_create(RATE, 1, _APPLICATION_AUDIO, ctypes.byref(error))
        _check(error.value, "an encoder")
        if not handle:
            raise OpusUnavailable("libopus gave no encoder")
        self.lib, self.handle = lib, ctypes.c_void_p(handle)
        for request, value in (
            (_SET_BITRATE, settings.bitrate_kbps * 1000),
            (_SET_COMPLEXITY, settings.complexity),
            (_SET_SIGNAL, _SIGNALS[settings.signal]),
            # Sound up to 8 kHz, what voice notes carry; espeak-ng's voices have nothing
            # above 11 kHz anyway.
            (_SET_MAX_BANDWIDTH, _BANDWIDTH_WIDEBAND),
            (_SET_VBR, 1),
            (_SET_VBR_CONSTRAINT, 0),
        ):
            self.ctl(request, value)

    def ctl(self, request: int, value: int) -> None:
        code = self.lib.opus_encoder_ctl(self.handle, ctypes.c_int(request), ctypes.c_int32(value))
        _check(code, f"setting {request} = {value}")

    def lookahead(self) -> int:
        out = ctypes.c_int32(0)
        request = ctypes.c_int(_GET_LOOKAHEAD)
        code = self.lib.opus_encoder_ctl(self.handle, request, ctypes.byref(out))
        _check(code, "the look-ahead")
        return out.value

    def close(self) -> None:
        if self.handle:
            self.lib.opus_encoder_destroy(self.handle)
            self.handle = ctypes.c_void_p(None)


def lookahead(settings: Settings) -> int:
    """The encoder's look-ahead in 48 kHz samples: a stream's pre-skip."""
    encoder = _Encoder(settings)
    try:
        return encoder.lookahead()
    finally:
        encoder.close()


def encode(samples: npt.NDArray[np.float32], settings: Settings) -> list[bytes]:
    """The Opus packets of ``samples`` (mono, :data:`RATE`), one per frame.

    ``len(samples)`` must be a whole number of frames: the caller pads (and, to hear the
    last samples, feeds the look-ahead's worth of silence after them).
    """
    import numpy as np

    frame = settings.frame_samples
    if len(samples) % frame:
        raise ValueError(f"{len(samples)} samples is not a whole number of {frame}-sample frames")
    pcm = np.ascontiguousarray(samples, dtype=np.float32)
    encoder = _Encoder(settings)
    buffer = ctypes.create_string_buffer(_MAX_PACKET)
    packets = []
    try:
        base, step = pcm.ctypes.data, frame * pcm.itemsize
        for index in range(len(pcm) // frame):
            size = encoder.lib.opus_encode_float(
                encoder.handle, ctypes.c_void_p(base + index * step), frame, buffer, _MAX_PACKET
            )
            _check(size, "a frame")
            packets.append(buffer.raw[:size])
    finally:
        encoder.close()
    return packets


def head(preskip: int) -> bytes:
    """The OpusHead packet of a mono stream (RFC 7845 5.1): version 1, no gain, family 0."""
    return (
        b"OpusHead" + bytes([1, 1]) + preskip.to_bytes(2, "little")
        + RATE.to_bytes(4, "little") + (0).to_bytes(2, "little") + bytes([0])
    )


__all__ = ["RATE", "OpusUnavailable", "Settings", "encode", "head", "lookahead", "version"]
