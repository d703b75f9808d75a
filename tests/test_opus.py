"""libopus in process (plainlang.opus): the packets it makes, checked by opus-tools' own
opusinfo and opusdec, and what an audio build no longer needs."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile

from plainlang import opus
from plainlang.audio import Encoder, encode_opus, opus_packet_samples, parse_opus


def _tone(seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * opus.RATE)) / opus.RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_one_packet_a_frame_each_celt_wideband_20_ms() -> None:
    settings = Encoder().settings
    samples = _tone(1.0)
    packets = opus.encode(samples, settings)
    assert len(packets) == len(samples) // settings.frame_samples == 50
    # TOC config 23: CELT-only, wideband, 20 ms (RFC 6716 3.1); code 0: one frame.
    assert {p[0] >> 3 for p in packets} == {23} and {p[0] & 3 for p in packets} == {0}
    assert all(opus_packet_samples(p) == 960 for p in packets)


def test_the_speech_layer_is_there_for_the_asking() -> None:
    voice = opus.Settings(32, 0, 20, signal="voice")
    packets = opus.encode(_tone(0.4, 200), voice)
    assert {p[0] >> 3 for p in packets} <= set(range(12))  # SILK-only configs


def test_the_same_sound_gives_the_same_bytes_in_any_thread() -> None:
    samples = _tone(0.6, 300)
    settings = Encoder().settings
    first = opus.encode(samples, settings)
    results: list[list[bytes]] = []
    threads = [
        threading.Thread(target=lambda: results.append(opus.encode(samples, settings)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [first] * 4


def test_a_part_of_a_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="whole number"):
        opus.encode(np.zeros(961, np.float32), Encoder().settings)


def test_opus_tools_read_what_plainlang_wrote(tmp_path: Path) -> None:
    """opusinfo (no warning, the pre-skip libopus reported) and opusdec (the length and the
    pitch of the tone) are independent readers of the stream."""
    encoder = Encoder()
    samples = _tone(2.0)
    path = tmp_path / "tone.ogg"
    path.write_bytes(encode_opus(samples, serial=7, tags={"TITLE": "la"}, encoder=encoder))
    info = subprocess.run(["opusinfo", str(path)], capture_output=True, text=True, check=True)
    assert "WARNING" not in info.stdout + info.stderr and "ERROR" not in info.stdout
    assert f"Pre-skip: {encoder.preskip}" in info.stdout and "TITLE=la" in info.stdout
    assert "Encoded with libopus" in info.stdout
    wav = tmp_path / "tone.wav"
    subprocess.run(["opusdec", "--quiet", "--rate", "48000", str(path), str(wav)], check=True)
    decoded, rate = soundfile.read(wav, dtype="float32")
    stream = parse_opus(path.read_bytes())
    assert rate == opus.RATE and len(decoded) == stream.samples - stream.preskip
    assert len(decoded) >= len(samples)
    middle = decoded[opus.RATE // 2 : opus.RATE * 3 // 2]
    spectrum = np.abs(np.fft.rfft(middle))
    assert abs(np.argmax(spectrum) * opus.RATE / len(middle) - 440) < 5
    level = float(np.sqrt(np.mean(middle**2)) / np.sqrt(np.mean(samples**2)))
    assert 0.84 < level < 1.19  # within 1.5 dB


def test_an_audio_build_does_not_load_weasyprint(tmp_path: Path) -> None:
    """A build of audio alone makes no PDF: WeasyPrint (half a second to import) and
    opusenc are not needed; libopus is used in process."""
    project = tmp_path / "proj"
    code = f"""
import pathlib, sys
from plainlang.cli import main
for argv in (["new-project", {str(project)!r}, "--source-locale", "es", "--locale", "qu"],
             ["-C", {str(project)!r}, "extract"],
             ["-C", {str(project)!r}, "update"],
             ["-C", {str(project)!r}, "build", "--format", "audio", "--audience", "youth"]):
    try:
        main(argv)
    except SystemExit as exc:
        assert not exc.code, exc.code
assert "weasyprint" not in sys.modules, "weasyprint was imported"
print(sorted(p.name for p in pathlib.Path({str(project)!r}, "build", "audio", "qu").iterdir()))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "-youth.ogg" in done.stdout
