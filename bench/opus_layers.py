"""The Opus encoder's settings for the audio version, measured in one run.

For each setting: CPU of the encoder on espeak-ng's reading of the sample cases (the first
160 s of it), size a minute, and the log-spectral distance of the decoded sound to the
synthesised one (0-8 kHz, 20 ms frames within 40 dB of the loudest; lower is closer).
libopus in process (plainlang.opus) for every row, and opusenc once, with the settings
plainlang used before, as the reference.

    .venv/bin/python bench/opus_layers.py            # about 10 s

Decoding is libsndfile's (soundfile), which honours the streams' pre-skip.
"""

from __future__ import annotations

import io
import re
import resource
import subprocess
import time
from pathlib import Path

import numpy as np
import soundfile
import soxr

from plainlang import opus
from plainlang.audio import Encoder, encode_opus

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 160


def speech() -> np.ndarray:
    text = " ".join(p.read_text("utf-8") for p in sorted((ROOT / "content" / "cases").glob("*.md")))
    text = re.sub(r"[#*>_`|-]", " ", text)
    wav = subprocess.run(
        ["espeak-ng", "-v", "es", "-s", "150", "-a", "80", "--stdout"],
        input=text.encode("utf-8"), capture_output=True, check=True,
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    samples = samples[: rate * SECONDS]
    return np.asarray(soxr.resample(samples, rate, opus.RATE), dtype=np.float32)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    n = 960
    m = min(len(a), len(b)) // n
    window = np.hanning(n)
    spec_a = np.abs(np.fft.rfft(a[: m * n].reshape(m, n) * window, axis=1))[:, :161] + 1e-9
    spec_b = np.abs(np.fft.rfft(b[: m * n].reshape(m, n) * window, axis=1))[:, :161] + 1e-9
    energy = (spec_a**2).sum(axis=1)
    keep = energy > energy.max() * 1e-4
    diff = 20 * np.log10(spec_a[keep] / spec_b[keep])
    return float(np.sqrt(np.mean(diff**2, axis=1)).mean())


def row(name: str, data: bytes, cpu: float, x: np.ndarray) -> str:
    decoded, _ = soundfile.read(io.BytesIO(data), dtype="float32")
    kib = len(data) / 1024 / (len(x) / opus.RATE / 60)
    return f"| {name} | {cpu:.2f} s | {kib:.0f} | {distance(x, decoded[: len(x)]):.2f} dB |"


def main() -> None:
    x = speech()
    print(f"{len(x) / opus.RATE:.0f} s of espeak-ng Spanish, libopus {opus.version()}\n")
    print("| setting | CPU | KiB a minute | distance |")
    print("| --- | --- | --- | --- |")
    for signal, bitrate, complexity in (
        ("voice", 32, 0), ("voice", 32, 5),
        ("music", 32, 0), ("music", 36, 0), ("music", 38, 0), ("music", 40, 0), ("music", 38, 3),
    ):
        encoder = Encoder(bitrate_kbps=bitrate, complexity=complexity, signal=signal)
        encoder.preskip  # noqa: B018 (libopus loaded before the clock starts)
        start = time.process_time()
        data = encode_opus(x, serial=1, tags={}, encoder=encoder)
        cpu = time.process_time() - start
        layer = "SILK" if signal == "voice" else "CELT"
        print(row(f"{layer} (signal {signal}), complexity {complexity}, {bitrate} kbit/s",
                  data, cpu, x))
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = subprocess.run(
        ["opusenc", "--quiet", "--raw", "--raw-bits", "16", "--raw-rate", "48000",
         "--raw-chan", "1", "--bitrate", "32", "--comp", "0", "--framesize", "20", "--speech",
         "--set-ctl-int", "4004=1103", "-", "-"],
        input=pcm, capture_output=True, check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(row("opusenc --speech, complexity 0, 32 kbit/s (before)", data, cpu, x))


if __name__ == "__main__":
    main()
