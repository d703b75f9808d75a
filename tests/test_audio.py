"""The audio version: real espeak-ng, real opusenc, decoded back with soundfile and listened to
by numbers (duration, loudness, pauses, a test tone where a recording was put)."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from conftest import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from plainlang.audio import (
    CACHE_DIR,
    SAMPLE_RATE,
    AudioMaker,
    AudioSegment,
    Encoder,
    Espeak,
    _ssml,
    address_pieces,
    choose_voices,
    encode_unit,
    join_opus,
    parse_opus,
    recording_name,
    samples_rms,
    spoken_units,
    synthesize,
    unit_samples,
)
from plainlang.config import load_config, parse_config
from plainlang.errors import ConfigError
from plainlang.theme import SHIPPED_THEME

VOICES = '\n[locales.es]\nvoice = "es-419"\n'


@pytest.fixture
def audio_project(leaflet_project: Path) -> Path:
    """The leaflet test project (the theme's ui catalogs have the spoken words in es, qu,
    ay) and Latin American Spanish as the Spanish voice; qu has no voice key (espeak-ng's
    own Quechua voice), ay none at all (it falls back to Spanish)."""
    toml = leaflet_project / "plainlang.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + VOICES, encoding="utf-8")
    return leaflet_project


def _plan(root: Path, case: str, locale: str, audience: str):  # type: ignore[no-untyped-def]
    from plainlang.catalogs import load_cases
    from plainlang.localize import CatalogSet, localize
    from plainlang.render import LeafletRenderer

    config = load_config(root)
    catalogs = CatalogSet(config)
    maker = AudioMaker(LeafletRenderer(config, catalogs))
    (found,) = load_cases(config, [case])
    return maker, maker.plan(localize(found, locale, catalogs), audience)


def _decode(path: Path) -> np.ndarray:
    samples, rate = soundfile.read(path, dtype="float32")
    assert rate == SAMPLE_RATE
    assert samples.ndim == 1  # mono
    return samples


def _quiet_runs_ms(samples: np.ndarray, threshold_db: float = -50.0) -> list[int]:
    """Lengths of the runs of quiet 10 ms frames, in ms."""
    frame = SAMPLE_RATE // 100
    n = len(samples) // frame
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1))
    quiet = rms < 10 ** (threshold_db / 20)
    runs, current = [], 0
    for q in quiet:
        if q:
            current += 1
        elif current:
            runs.append(current * 10)
            current = 0
    if current:
        runs.append(current * 10)
    return runs


def _tone_seconds(samples: np.ndarray, hz: float) -> float:
    """The longest stretch (s) of 50 ms frames whose energy is mostly at ``hz``."""
    frame = SAMPLE_RATE // 20
    n = len(samples) // frame
    frames = samples[: n * frame].reshape(n, frame) * np.hanning(frame)
    spectrum = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(frame, 1 / SAMPLE_RATE)
    band = (freqs > hz - 30) & (freqs < hz + 30)
    share = spectrum[:, band].sum(axis=1) / (spectrum.sum(axis=1) + 1e-12)
    best = current = 0
    for s in share:
        current = current + 1 if s > 0.8 else 0
        best = max(best, current)
    return best / 20


def _write_sine_wav(path: Path, hz: float, seconds: float, rate: int = 44_100) -> None:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.4 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, np.stack([tone, tone], axis=1), rate, subtype="PCM_16")  # stereo


# -- the script --------------------------------------------------------------------------------


def test_script_follows_the_reading_order(audio_project: Path) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    kinds = [s.kind for s in plan.segments]
    texts = [s.text for s in plan.segments]
    # The cover, the body in the writer's order, then the back panel.
    assert kinds[:4] == ["audience", "title", "summary", "paragraph"]
    assert texts[0] == "Para grupos de jóvenes"
    assert texts[1] == "Pregunte por el proyecto de agua"
    assert "Pregunte por el proyecto de agua" not in texts[2:]  # the first heading is the title
    body = kinds[kinds.index("heading") :]
    assert body[:5] == ["heading", "step", "item", "step", "item"]
    assert kinds.index("quote") < kinds.index("attribution") < kinds.index("cell")
    assert kinds.index("cell") < kinds.index("callout") < kinds.index("about")
    assert kinds.count("cell") == 4  # header and one row of two cells
    callout = kinds.index("callout")
    assert texts[callout] == "Para usted y sus amigos"
    assert texts[callout + 1] == "Comparta esta hoja con su grupo. Vea el sitio de la OGP."
    back = texts[kinds.index("about") :]
    assert back[0] == "Sobre este folleto"
    assert "Idioma: español" in back
    assert "Una voz de computadora en español lee este audio." in back
    assert all(s.locale == "es" and s.voice == "es-419" for s in plan.segments)
    # Women's leaflets read the women's call-out instead.
    _, women = _plan(audio_project, "water", "es", "women")
    women_texts = [s.text for s in women.segments]
    assert not any(t.startswith("Comparta esta hoja") for t in women_texts)
    assert [s.kind for s in women.segments].count("callout") == 1


def test_headings_have_pauses_around_them(audio_project: Path) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    heading = next(s for s in plan.segments if s.kind == "heading")
    paragraph = next(s for s in plan.segments if s.kind == "paragraph")
    assert heading.pause_before >= 700 and heading.pause_after >= 400
    assert paragraph.pause_before == 0


def test_numbers_and_addresses_are_said_in_words(audio_project: Path) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    texts = [s.text for s in plan.segments]
    assert [s.text for s in plan.segments if s.kind == "step"] == ["Paso 1.", "Paso 2."]
    # The QR code: the address said mark by mark, without https:// and www.
    assert "La dirección web es opengovpartnership punto org." in texts
    # A link is read as its text, its address is not spelled out.
    assert "Comparta esta hoja con su grupo. Vea el sitio de la OGP." in texts
    assert "https" not in " ".join(texts) and "/" not in " ".join(texts)
    # espeak-ng's Spanish voice says the number as a word ("uno"), not a digit.
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", "es-419", "Paso 1."],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "uno" in phonemes


def test_address_pieces() -> None:
    assert address_pieces("http://www.pcm.gob.pe/plan_accion.html") == [
        "pcm", ".", "gob", ".", "pe", "/", "plan", "_", "accion", ".", "html"
    ]
    assert address_pieces("mailto:info@example.org") == ["info", "@", "example", ".", "org"]


def test_bare_addresses_in_a_paragraph_are_said_in_words(audio_project: Path) -> None:
    case = audio_project / "content" / "cases" / "water.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(
        text.replace(
            "water project cost.\n",
            "water project cost. See www.example.org/agua-2. Not EE.UU. or 2.5 km.\n",
        ),
        encoding="utf-8",
    )
    _, plan = _plan(audio_project, "water", "en", "youth")
    paragraph = next(s for s in plan.segments if "See" in s.text)
    assert paragraph.text.endswith(
        "See example dot org slash agua dash 2. Not EE.UU. or 2.5 km."
    )  # an abbreviation or a number is not an address


def test_a_draft_is_announced_and_fallbacks_are_read_by_their_language_s_voice(
    audio_project: Path,
) -> None:
    _, plan = _plan(audio_project, "water", "qu", "youth")
    first = plan.segments[0]
    assert first.kind == "draft" and first.locale == "qu" and first.voice == "qu"
    assert "borrador" in first.text
    by_locale = {s.locale for s in plan.segments if s.kind in ("paragraph", "item", "quote")}
    assert by_locale == {"qu", "es"}  # two drafts in Quechua, the rest falls back to Spanish
    for segment in plan.segments:
        assert segment.voice == {"qu": "qu", "es": "es-419"}[segment.locale]
    assert plan.voice.voice == "qu" and plan.voice.own
    # A checked translation is not announced as a draft.
    _, es = _plan(audio_project, "water", "es", "youth")
    assert not any(s.kind == "draft" for s in es.segments)


def test_a_locale_with_no_voice_is_read_by_its_fallback_s(audio_project: Path) -> None:
    _, plan = _plan(audio_project, "water", "ay", "youth")
    assert plan.voice.voice == "es-419" and plan.voice.owner == "es" and not plan.voice.own
    assert set(plan.voices) == {"es-419"}
    texts = [s.text for s in plan.segments]
    # Aymara allows no drafts here, so its ui words are Spanish, and said by the Spanish voice.
    assert (
        "Todavía no hay una voz de computadora en Aymar aru. Una voz de computadora en "
        "español lee este audio."
    ) in texts


def test_voice_chain_ends_at_the_source_locale() -> None:
    espeak = Espeak("1.51", {"en": ("en-gb", "English"), "qu": ("qu", "Quechua")})
    toml = """
[project]
source_locale = "en"
locales = ["es", "ay", "qu"]
[locales.ay]
name = "Aymar aru"
english_name = "Aymara"
plural_forms = "nplurals=2; plural=(n != 1);"
fallback = ["es"]
"""
    choices = choose_voices(parse_config(toml, Path("/p/plainlang.toml")), espeak)
    assert (choices["qu"].voice, choices["qu"].own) == ("qu", True)
    # Neither Aymara nor its fallback Spanish has a voice here: the source's reads both.
    assert (choices["ay"].voice, choices["ay"].owner) == ("en-gb", "en")
    assert (choices["es"].voice, choices["es"].owner) == ("en-gb", "en")
    with pytest.raises(ConfigError, match="no espeak-ng voice reads"):
        choose_voices(parse_config(toml, Path("/p/plainlang.toml")), Espeak("1.51", {}))


# -- recordings ----------------------------------------------------------------------------------


def test_recording_names_are_stable_while_the_text_is(audio_project: Path) -> None:
    _, before = _plan(audio_project, "water", "en", "youth")
    case = audio_project / "content" / "cases" / "water.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("Write a short letter.", "Write one letter."),
        encoding="utf-8",
    )
    _, after = _plan(audio_project, "water", "en", "youth")
    old = {s.text: s.name for s in before.segments}
    new = {s.text: s.name for s in after.segments}
    for text, name in new.items():
        if text in old:
            assert old[text] == name  # unchanged text, unchanged name
    assert "Write one letter." in new and "Write one letter." not in old
    assert new["Write one letter."] != old["Write a short letter."]
    assert new["Write one letter."] == recording_name("item", "Write one letter.", "en")
    # The same words in another language are another recording.
    assert recording_name("item", "Hola", "es") != recording_name("item", "Hola", "qu")


def test_a_recording_replaces_its_segment(audio_project: Path, run: Callable[..., Result]) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    title = next(s for s in plan.segments if s.kind == "title")
    step = next(s for s in plan.segments if s.kind == "step")
    _write_sine_wav(audio_project / "recordings" / "es" / "water" / f"{title.name}.wav", 440, 1.5)
    # An Ogg Opus recording (mono, 48 kHz) of another segment.
    ogg = audio_project / "recordings" / "es" / "water" / f"{step.name}.ogg"
    _write_sine_wav(ogg.with_suffix(".tmp.wav"), 1000, 1.2, rate=16_000)
    subprocess.run(
        ["opusenc", "--quiet", str(ogg.with_suffix(".tmp.wav")), str(ogg)], check=True
    )
    ogg.with_suffix(".tmp.wav").unlink()

    listed = run("--project", audio_project, "audio", "list", "--case", "water",
                 "--locale", "es", "--audience", "youth", "--json")
    assert listed.code == 0, listed.err
    rows = json.loads(listed.out)
    recorded = {r["name"]: r["recording"] for r in rows if r["recorded"]}
    assert recorded == {
        title.name: f"recordings/es/water/{title.name}.wav",
        step.name: f"recordings/es/water/{step.name}.ogg",
    }
    assert any(r["text"] == "Algunas partes las leen personas." for r in rows)

    result = run("--project", audio_project, "audio", "build", "--case", "water",
                 "--locale", "es", "--audience", "youth")
    assert result.code == 0, result.err
    samples = _decode(audio_project / "build" / "audio" / "es" / "water-youth.ogg")
    assert _tone_seconds(samples, 440) >= 1.2
    assert _tone_seconds(samples, 1000) >= 0.9
    manifest = json.loads((audio_project / "build" / "manifest.json").read_text("utf-8"))
    (entry,) = [e for e in manifest["outputs"] if e.get("kind") == "audio"]
    assert entry["recorded"] == 2 and entry["voices"] == ["es-419"]
    assert entry["voice"] == {"voice": "es-419", "label": "Spanish_(Latin_America)",
                              "locale": "es", "own": True}


def test_without_recordings_there_is_no_tone(audio_project: Path) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    samples = synthesize(plan.segments)
    assert _tone_seconds(samples, 440) < 0.5


def test_a_fallback_passage_uses_the_recording_of_its_language(audio_project: Path) -> None:
    _, plan = _plan(audio_project, "water", "ay", "youth")
    spanish = next(s for s in plan.segments if s.locale == "es" and s.kind == "paragraph")
    _write_sine_wav(audio_project / "recordings" / "es" / "water" / f"{spanish.name}.wav", 440, 1)
    _, again = _plan(audio_project, "water", "ay", "youth")
    assert again.recorded == 1
    assert again.recordings[spanish.name].parts[-3:] == ("es", "water", f"{spanish.name}.wav")


def _link_out(path: Path) -> None:
    """A link from recordings/ to a good WAV file outside the project."""
    outside = path.parents[4] / "outside.wav"  # beside the project folder
    _write_sine_wav(outside, 440, 0.3)
    path.symlink_to(outside)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEnot really a wave"), "cannot decode"),
        (lambda p: p.write_bytes(b""), "cannot decode"),
        (lambda p: _link_out(p), "outside the project"),
        (lambda p: p.mkdir(), "not a regular file"),
    ],
    ids=["garbage", "empty", "link-out", "folder"],
)
def test_a_bad_recording_is_one_line_and_exit_2(
    audio_project: Path,
    run: Callable[..., Result],
    make: Callable[[Path], None],
    message: str,
) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    title = next(s for s in plan.segments if s.kind == "title")
    path = audio_project / "recordings" / "es" / "water" / f"{title.name}.wav"
    path.parent.mkdir(parents=True)
    make(path)
    result = run("--project", audio_project, "audio", "build", "--case", "water",
                 "--locale", "es", "--audience", "youth")
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if "audio error" in line]
    assert len(errors) == 1, result.err
    assert f"recordings/es/water/{title.name}.wav: audio error: " in errors[0]
    assert message in errors[0]
    assert "Traceback" not in result.err
    assert not (audio_project / "build" / "audio" / "es" / "water-youth.ogg").exists()


def test_two_recordings_of_one_segment_are_an_error(
    audio_project: Path, run: Callable[..., Result]
) -> None:
    _, plan = _plan(audio_project, "water", "es", "youth")
    title = next(s for s in plan.segments if s.kind == "title")
    folder = audio_project / "recordings" / "es" / "water"
    _write_sine_wav(folder / f"{title.name}.wav", 440, 0.5)
    shutil.copy(folder / f"{title.name}.wav", folder / f"{title.name}.ogg")
    result = run("--project", audio_project, "audio", "list", "--case", "water",
                 "--locale", "es", "--audience", "youth")
    assert result.code == 2
    assert "two recordings of one segment" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_an_unknown_voice_is_a_config_error_at_its_line(
    audio_project: Path, run: Callable[..., Result]
) -> None:
    toml = audio_project / "plainlang.toml"
    text = toml.read_text(encoding="utf-8").replace('voice = "es-419"', 'voice = "xx-nope"')
    toml.write_text(text, encoding="utf-8")
    line = text.splitlines().index('voice = "xx-nope"') + 1
    result = run("--project", audio_project, "audio", "build", "--locale", "es")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"plainlang.toml:{line}: config error: espeak-ng {Espeak.detect().version} has no "
        "voice 'xx-nope' for 'es' (choose one that `espeak-ng --voices` lists (e.g. es-419, "
        "qu), or remove the key)"
    ]
    assert not (audio_project / "build" / "audio").exists()


def test_a_voice_that_is_not_text_is_a_config_error(audio_project: Path) -> None:
    toml = audio_project / "plainlang.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('voice = "es-419"', "voice = 3"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"'voice' in \[locales.es\] must be a str"):
        load_config(audio_project)


# -- what comes out ------------------------------------------------------------------------------


def test_the_audio_is_a_voice_note_of_plausible_length(
    audio_project: Path, run: Callable[..., Result]
) -> None:
    result = run("--project", audio_project, "audio", "build", "--case", "water",
                 "--locale", "es", "--audience", "youth")
    assert result.code == 0, result.err
    path = audio_project / "build" / "audio" / "es" / "water-youth.ogg"
    info = subprocess.run(["opusinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Channels: 1" in info.stdout
    assert "DATE" not in info.stdout.upper().replace("UPDATE", "")
    samples = _decode(path)
    seconds = len(samples) / SAMPLE_RATE
    manifest = json.loads((audio_project / "build" / "manifest.json").read_text("utf-8"))
    (entry,) = [e for e in manifest["outputs"] if e.get("kind") == "audio"]
    assert abs(entry["duration"] - seconds) < 0.1
    words_per_minute = entry["words"] / seconds * 60
    assert 100 <= words_per_minute <= 200, words_per_minute  # pauses included
    assert samples_rms(samples) > 0.02  # speech, not silence
    # A voice-note bitrate (kbit/s): libopus aims at 38 and spends more on dense speech.
    assert entry["size"] / seconds * 8 / 1000 < 48
    assert entry["segments"] == len(json.loads(run(
        "--project", audio_project, "audio", "list", "--case", "water", "--locale", "es",
        "--audience", "youth", "--json").out))


def test_one_segment_is_speech_and_pauses_are_silence(audio_project: Path) -> None:
    one = AudioSegment("paragraph", "Rosa vive en un pueblo de los Andes.", "es", "es-419")
    alone = synthesize([one])
    assert 1.0 < len(alone) / SAMPLE_RATE < 5.0
    assert samples_rms(alone) > 0.03
    heading = AudioSegment("heading", "¿Qué puedo hacer?", "es", "es-419", 800, 500)
    both = synthesize([one, heading])
    # The 800 ms pause before the heading is there as silence (espeak-ng's own end of
    # sentence adds to it).
    assert max(_quiet_runs_ms(both)) >= 750
    assert max(_quiet_runs_ms(alone)) < 750


def test_same_inputs_give_the_same_bytes(
    audio_project: Path, run: Callable[..., Result], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ("audio", "build", "--case", "water", "--locale", "qu", "--audience", "women")
    assert run("--project", audio_project, *args).code == 0
    path = audio_project / "build" / "audio" / "qu" / "water-women.ogg"
    first = hashlib.sha256(path.read_bytes()).hexdigest()
    assert run("--project", audio_project, *args, "--force").code == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == first
    # Elsewhere on disk, with no cache of segments, on another day, too.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    other = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(audio_project, other, ignore=shutil.ignore_patterns("build"))
    assert run("--project", other, *args).code == 0
    assert hashlib.sha256((other / "build/audio/qu/water-women.ogg").read_bytes()).hexdigest() \
        == first


def test_audio_is_incremental(audio_project: Path, run: Callable[..., Result]) -> None:
    args = ("--project", audio_project, "audio", "build", "--case", "water", "--locale", "es",
            "--audience", "youth")
    assert run(*args).code == 0
    path = audio_project / "build" / "audio" / "es" / "water-youth.ogg"
    made = path.stat().st_mtime_ns
    again = run(*args)
    assert again.code == 0 and "0 built, 1 up to date" in again.out
    assert path.stat().st_mtime_ns == made
    # A change to what is said makes it again; a change the ear cannot hear does not.
    css = audio_project / "templates" / "css" / "phone.css"  # a project's own stylesheet
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(
        (SHIPPED_THEME / "css" / "phone.css").read_text(encoding="utf-8") + "\n/* wider */\n",
        encoding="utf-8",
    )
    assert "0 built, 1 up to date" in run(*args).out
    _, plan = _plan(audio_project, "water", "es", "youth")
    title = next(s for s in plan.segments if s.kind == "title")
    _write_sine_wav(audio_project / "recordings" / "es" / "water" / f"{title.name}.wav", 440, 1)
    assert "1 built, 0 up to date" in run(*args).out


def test_the_back_panel_can_say_who_reads_the_audio(audio_project: Path) -> None:
    from plainlang.catalogs import load_cases
    from plainlang.localize import CatalogSet, localize
    from plainlang.render import LeafletRenderer

    config = load_config(audio_project)
    catalogs = CatalogSet(config)
    renderer = LeafletRenderer(config, catalogs)
    maker = AudioMaker(renderer)
    lc = localize(load_cases(config, ["water"])[0], "ay", catalogs)
    view = maker.leaflet(lc, "youth")
    html = renderer.environment("ay").get_template("layouts/phone.html.j2").render(leaflet=view)
    assert "Versión en audio: la lee una voz de computadora en español." in html
    # Without an audio version the back says nothing of voices.
    assert "Versión en audio" not in renderer.html(lc, "youth", "phone")


# -- hostile text ----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80))
def test_any_text_stays_text_in_the_ssml(text: str) -> None:
    """A translation cannot become SSML markup (a voice change, a long break, audio)."""
    segment = AudioSegment("paragraph", text, "es", "es-419")
    root = ET.fromstring(_ssml([segment, 300, segment]))
    voices = root.findall("voice")
    assert [v.text or "" for v in voices] == [text, text]
    assert [v.get("name") for v in voices] == ["es-419", "es-419"]
    assert len(list(root)) == 3  # voice, break, voice: nothing the text added


def test_a_hostile_translation_is_read_as_words(audio_project: Path) -> None:
    one = AudioSegment(
        "paragraph", '<audio src="/etc/passwd"/> <break time="100s"/> & "hola"', "es", "es-419"
    )
    samples = synthesize([one])
    assert len(samples) / SAMPLE_RATE < 20  # no 100 s break
    assert samples_rms(samples) > 0.01


def test_espeak_and_opusenc_are_installed() -> None:
    """The README's install command brings both (this suite never skips audio)."""
    assert shutil.which("espeak-ng") and shutil.which("opusenc")
    assert os.path.exists("/usr/bin/espeak-ng")


# -- segments encoded once, joined -------------------------------------------------------------


def _cache(root: Path) -> set[str]:
    return {p.name for p in (root / CACHE_DIR).glob("*.opus")}


def _build(run: Callable[..., Result], root: Path, locale: str, audience: str,
           *more: str) -> Path:
    result = run("--project", root, "audio", "build", "--case", "water", "--locale", locale,
                 "--audience", audience, *more)
    assert result.code == 0, result.err
    return root / "build" / "audio" / locale / f"water-{audience}.ogg"


def test_a_segment_is_encoded_once_for_every_leaflet_that_says_it(
    audio_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(audio_project, clean)
    youth = _build(run, audio_project, "es", "youth")
    _, plan = _plan(audio_project, "water", "es", "youth")
    after_youth = _cache(audio_project)
    assert len(after_youth) == len({u.key(Encoder(), Espeak.detect().version)
                                    for u in spoken_units(plan.segments)})
    # Another audience of the same case says most of the same things: only what is new is
    # encoded, and the file is byte for byte the one made with no cache at all.
    women = _build(run, audio_project, "es", "women")
    _, other = _plan(audio_project, "water", "es", "women")
    new = _cache(audio_project) - after_youth
    assert 0 < len(new) < len(other.segments) / 2
    alone = _build(run, clean, "es", "women")
    assert women.read_bytes() == alone.read_bytes()
    # Nothing new to encode: --force joins the cached segments again, same bytes.
    before = youth.read_bytes()
    assert _build(run, audio_project, "es", "youth", "--force").read_bytes() == before
    assert len(_cache(audio_project)) == len(after_youth | new)


def test_one_changed_sentence_encodes_one_segment(
    audio_project: Path, run: Callable[..., Result]
) -> None:
    path = _build(run, audio_project, "es", "youth")
    old_bytes, cached = path.read_bytes(), _cache(audio_project)
    po = audio_project / "locales" / "es" / "LC_MESSAGES" / "water.po"
    text = po.read_text(encoding="utf-8")
    assert '"Entréguela en mesa de partes."' in text
    po.write_text(text.replace("Entréguela en mesa", "Entréguela en la mesa"), encoding="utf-8")
    _build(run, audio_project, "es", "youth")
    assert len(_cache(audio_project) - cached) == 1
    assert path.read_bytes() != old_bytes
    samples = _decode(path)
    _, plan = _plan(audio_project, "water", "es", "youth")
    assert "Entréguela en la mesa de partes." in [s.text for s in plan.segments]
    assert abs(len(samples) / SAMPLE_RATE - len(synthesize(plan.segments)) / SAMPLE_RATE) < 2


def test_joined_segments_play_as_one_stream_without_clicks(
    audio_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    path = _build(run, audio_project, "qu", "youth")
    info = subprocess.run(["opusinfo", str(path)], capture_output=True, text=True, check=True)
    assert "WARNING" not in info.stdout + info.stderr and "ERROR" not in info.stdout
    assert "Logical stream 1 ended" in info.stdout
    assert f"Pre-skip: {Encoder().preskip}" in info.stdout and "Packet duration:   20.0ms (max)" in info.stdout
    assert "TITLE=" in info.stdout and "LANGUAGE=qu" in info.stdout
    wav = tmp_path / "out.wav"
    subprocess.run(["opusdec", "--quiet", "--rate", "48000", str(path), str(wav)], check=True)
    by_opusdec, rate = soundfile.read(wav, dtype="float32")
    samples = _decode(path)  # libsndfile
    assert rate == SAMPLE_RATE and len(by_opusdec) == len(samples)

    maker, plan = _plan(audio_project, "water", "qu", "youth")
    preskip, frame = maker.encoder.preskip, maker.encoder.frame_samples
    units = spoken_units(plan.segments)
    pieces = [unit_samples(u) for u in units]
    lengths = [len(p) + (-(len(p) + preskip) % frame) for p in pieces]
    assert len(samples) == sum(lengths) + preskip * (len(units) - 1)
    # Each unit ends in its pause; where the next unit's packets take over (and the
    # encoder's look-ahead of the next unit plays), the decoded sound is silence, not a click.
    end = 0
    quiet_edges = 0
    for unit, piece, length in zip(units, pieces, lengths, strict=True):
        words_end = end + len(piece) - unit.trail * SAMPLE_RATE // 1000
        end += length
        if unit.trail >= 100:
            edge = samples[max(words_end + 60 * 48, end - 240) : end + preskip]
            assert np.max(np.abs(edge)) < 0.01, (unit.segment.kind, unit.segment.text)
            quiet_edges += 1
        end += preskip
    assert quiet_edges > 10
    # One unit decoded alone sounds as loud as it was synthesised (within 1.5 dB).
    unit = next(u for u in units if u.segment.kind == "paragraph")
    piece = unit_samples(unit)
    decoded, _ = soundfile.read(io.BytesIO(encode_unit(piece, maker.encoder)), dtype="float32")
    ratio = samples_rms(decoded) / samples_rms(piece)
    assert 10 ** (-1.5 / 20) < ratio < 10 ** (1.5 / 20), ratio


def test_a_damaged_cached_segment_is_made_again(
    audio_project: Path, run: Callable[..., Result]
) -> None:
    path = _build(run, audio_project, "es", "youth")
    good = path.read_bytes()
    victims = sorted((audio_project / CACHE_DIR).glob("*.opus"))
    data = bytearray(victims[0].read_bytes())
    data[len(data) // 2] ^= 0x40
    victims[0].write_bytes(bytes(data))
    victims[1].write_bytes(victims[1].read_bytes()[:-7])  # cut short
    victims[2].write_bytes(b"")
    assert _build(run, audio_project, "es", "youth", "--force").read_bytes() == good
    assert parse_opus(victims[0].read_bytes()).packets  # made again, whole


def test_the_cache_stays_inside_the_project(
    audio_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (audio_project / "build").mkdir()
    (audio_project / "build" / ".cache").symlink_to(outside, target_is_directory=True)
    path = _build(run, audio_project, "es", "youth")
    assert list(outside.iterdir()) == []
    assert samples_rms(_decode(path)) > 0.02


def test_a_new_recording_of_a_segment_replaces_the_cached_voice(
    audio_project: Path, run: Callable[..., Result]
) -> None:
    _build(run, audio_project, "es", "youth")
    _, plan = _plan(audio_project, "water", "es", "youth")
    title = next(s for s in plan.segments if s.kind == "title")
    wav = audio_project / "recordings" / "es" / "water" / f"{title.name}.wav"
    _write_sine_wav(wav, 440, 1.5)
    assert _tone_seconds(_decode(_build(run, audio_project, "es", "youth")), 440) >= 1.2
    _write_sine_wav(wav, 1000, 1.5)  # the person recorded it again
    samples = _decode(_build(run, audio_project, "es", "youth"))
    assert _tone_seconds(samples, 1000) >= 1.2 and _tone_seconds(samples, 440) < 0.5


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.data())
def test_a_changed_byte_in_an_ogg_opus_file_is_found(data: st.DataObject) -> None:
    """Every byte of a page is under its CRC (or is the CRC): parse_opus never joins a
    damaged segment."""
    stream = _small_ogg()
    index = data.draw(st.integers(0, len(stream) - 1))
    flip = data.draw(st.integers(1, 255))
    damaged = bytearray(stream)
    damaged[index] ^= flip
    with pytest.raises(ValueError):
        parse_opus(bytes(damaged))


@functools.cache
def _small_ogg() -> bytes:
    tone = (0.3 * np.sin(np.arange(48_000 // 4) / 48_000 * 2 * np.pi * 300)).astype(np.float32)
    return encode_unit(tone, Encoder())


def test_joining_counts_granules_and_marks_the_end() -> None:
    from mutagen.ogg import OggPage

    one = parse_opus(_small_ogg())
    joined = join_opus([one, one, one], serial=1234, tags={"TITLE": "a\nb"})
    pages = []
    stream = io.BytesIO(joined)
    while stream.tell() < len(joined):
        pages.append(OggPage(stream))
    assert [p.sequence for p in pages] == list(range(len(pages)))
    assert {p.serial for p in pages} == {1234}
    assert pages[0].first and pages[-1].last and not any(p.last for p in pages[:-1])
    assert pages[-1].position == 3 * one.samples
    positions = [p.position for p in pages[2:]]
    assert positions == sorted(positions)
    again = parse_opus(joined)
    assert again.packets == one.packets * 3 and "TITLE=a b" in again.comments
    decoded, _ = soundfile.read(io.BytesIO(joined), dtype="float32")
    assert len(decoded) == 3 * one.samples - one.preskip
    with pytest.raises(ValueError):
        join_opus([], serial=1, tags={})


def test_each_leaflet_is_planned_once_a_build_and_made_from_the_plan_it_was_keyed_by(
    audio_project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key's plan (its script and recordings) is what the maker reads aloud: the
    script is not written a second time, and a second build plans afresh."""
    planned: list[tuple[str, str, str]] = []
    real_plan = AudioMaker.plan

    def counting_plan(self: AudioMaker, lc: Any, audience: str) -> Any:
        planned.append((lc.case.id, lc.locale, audience))
        return real_plan(self, lc, audience)

    monkeypatch.setattr(AudioMaker, "plan", counting_plan)
    for round_ in (1, 2):
        result = run("--project", audio_project, "audio", "build", "--case", "water",
                     "--locale", "es", "--jobs", "1", "--force")
        assert result.code == 0, result.err
        built = len(list((audio_project / "build" / "audio" / "es").glob("water-*.ogg")))
        assert built >= 2 and len(planned) == built * round_, planned
