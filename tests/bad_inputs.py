"""Damaged, odd and hostile inputs that decoding and scanning must survive, each with its expected outcome.

``make_bad_inputs(folder)`` builds them in themed groups (damaged files, unusual signals, filesystem
oddities, tag/container oddities) and maps each path to a ``BadInput``. Everything is deterministic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
import soxr
from mutagen.id3 import APIC, ID3, TCON, TDRC, TIT2

from tests.corpus import EXTENSIONS, load_clip, sine, write_audio, write_one_hour

Outcome = Literal["analysed", "problem", "ignored"]


@dataclass(frozen=True)
class BadInput:
    """What is odd about one corpus entry and what a scan should make of it.

    expect: "analysed" (a track with features), "problem" (recorded with a readable reason), or
            "ignored" (not a track at all: a folder to walk, a link loop not to follow, a non-audio name).
    decodes: whether ``audio.decode`` probes it and reads its windows without ``DecodeError``.
    reason: a fragment the recorded reason should contain (the ``DecodeError`` text when decoding fails).
    vanishes: the scanner test should delete this file after the scan has listed it.
    """

    description: str
    expect: Outcome
    decodes: bool
    reason: str | None = None
    vanishes: bool = False

    @property
    def expect_ok(self) -> bool:
        return self.expect == "analysed"

    def __str__(self) -> str:
        return self.description


def make_bad_inputs(folder: Path) -> dict[Path, BadInput]:
    """Awkward inputs in ``folder`` (created if needed), each mapped to what a scan should make of it.

    Decoding-level reasons are the ``audio.decode.DecodeError`` texts. Non-regular entries (a FIFO, a
    folder named ``song.mp3``, links) must be recognised from ``lstat``/``stat`` before opening: opening a
    FIFO blocks. ``chmod 000`` does not stop root, so that entry's outcome depends on who runs it.
    Truncated files assume the track's windows reach its second half (true for a 30 s track).
    """
    corpus = _Corpus(Path(folder), np.random.default_rng(1234))
    corpus.folder.mkdir(parents=True, exist_ok=True)
    clip, sr = load_clip("rock", 0)
    encoded = _encode_once(corpus.folder, clip, sr)
    _damaged_files(corpus, encoded)
    _unusual_signals(corpus, clip, sr)
    _filesystem_oddities(corpus, encoded)
    _tag_and_container_oddities(corpus, encoded, clip, sr)
    return corpus.entries


@dataclass
class _Corpus:
    folder: Path
    rng: np.random.Generator
    entries: dict[Path, BadInput] = field(default_factory=dict)

    def add(self, name: str, description: str, expect: Outcome, decodes: bool, reason: str | None = None,
            data: bytes | None = None, vanishes: bool = False) -> Path:
        path = self.folder / name
        if data is not None:
            path.write_bytes(data)
        self.entries[path] = BadInput(description, expect, decodes, reason, vanishes)
        return path


def _encode_once(folder: Path, clip: np.ndarray, sr: int) -> dict[str, bytes]:
    """The clip's bytes in several formats, to copy, cut or misname."""
    encoded = {}
    for key, fmt, faststart in [("mp3", "mp3", False), ("flac", "flac", False), ("ogg", "ogg", False),
                                ("m4a", "m4a", False), ("wav", "wav", False), ("m4a-faststart", "m4a", True)]:
        tmp = write_audio(folder / f"tmp-source{EXTENSIONS[fmt]}", clip, sr, fmt, faststart=faststart)
        encoded[key] = tmp.read_bytes()
        tmp.unlink()
    return encoded


def _damaged_files(c: _Corpus, encoded: dict[str, bytes]) -> None:
    c.add("empty.mp3", "zero bytes", "problem", False, "empty file", b"")
    for fmt, ok in (("mp3", False), ("flac", False), ("ogg", True), ("m4a", False), ("wav", True)):
        data = encoded[fmt]
        note = ("decodes as a shorter track (the header's length follows the data)" if ok
                else "its header still announces 30 s")
        c.add(f"truncated_half.{fmt}", f"{fmt} cut off halfway; {note}", "analysed" if ok else "problem", ok,
              None if ok else "truncated", data[:len(data) // 2])
    faststart = encoded["m4a-faststart"]
    c.add("truncated_half_faststart.m4a", "AAC with its index first, cut off halfway", "problem", False,
          "truncated", faststart[:len(faststart) // 2])
    for ext in ("mp3", "flac", "ogg", "m4a", "wav", "opus"):
        c.add(f"random_bytes.{ext}", f"64 KiB of random bytes named .{ext}", "problem", False,
              "not an audio file", c.rng.bytes(65536))
    c.add("readme.mp3", "a plain text file named .mp3", "problem", False, "not an audio file",
          b"These are my favourite songs.\nTrack 1 - Intro\n" * 20)
    c.add("error_page.flac", "an HTML error page saved as .flac", "problem", False, "not an audio file",
          b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not found</body></html>\n")
    c.add("corrupt_header.wav", "RIFF/WAVE magic followed by junk", "problem", False, "corrupt",
          b"RIFF" + (40000).to_bytes(4, "little") + b"WAVE" + c.rng.bytes(40000))
    c.add("corrupt_header.flac", "fLaC magic followed by junk", "problem", False, "corrupt",
          b"fLaC" + c.rng.bytes(40000))
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=["Nothing here"]))
    id3.save(c.add("id3_only.mp3", "an ID3 tag and no audio frames at all", "problem", False))


def _unusual_signals(c: _Corpus, clip: np.ndarray, sr: int) -> None:
    write_audio(c.add("silence.flac", "30 s of digital zero", "analysed", True),
                np.zeros(30 * sr, np.float32), sr, "flac")
    write_audio(c.add("near_silence.ogg", "30 s of noise at -80 dBFS", "analysed", True),
                (c.rng.standard_normal(30 * sr) * 1e-4).astype(np.float32), sr, "ogg")
    write_one_hour(c.add("one_hour.flac", "a real hour (11025 Hz FLAC, tone at each minute)", "analysed", True))
    write_audio(c.add("rate_8k.wav", "real clip at 8 kHz", "analysed", True),
                soxr.resample(clip, sr, 8000), 8000, "wav")
    write_audio(c.add("rate_96k_24bit.flac", "real clip at 96 kHz, 24-bit", "analysed", True),
                soxr.resample(clip, sr, 96000), 96000, "flac", subtype="PCM_24")
    surround = np.zeros((len(clip), 6), np.float32)
    surround[:, 0] = surround[:, 1] = clip
    surround[:, 2] = sine(440, len(clip) / sr, sr, amplitude=0.1)
    write_audio(c.add("surround_6ch.flac", "six channels (5.1)", "analysed", True), surround, sr, "flac")
    stereo = np.stack([clip[: 12 * sr], np.roll(clip[: 12 * sr], 441)], axis=1)
    write_audio(c.add("stereo_12s.opus", "12 s stereo Opus at 48 kHz", "analysed", True), stereo, sr, "opus")
    write_audio(c.add("three_seconds.mp3", "only 3 s long: too short to classify", "problem", True, "short"),
                clip[: 3 * sr], sr, "mp3")
    write_audio(c.add("huge_float.wav", "32-bit float WAV whose samples are 1e30", "problem", False,
                      "samples are not valid numbers"), (clip * 1e30).astype(np.float32), sr, "wav",
                subtype="FLOAT")
    poisoned = clip.copy()
    poisoned[1000:1100], poisoned[5000], poisoned[9000] = np.nan, np.inf, -np.inf
    write_audio(c.add("nan_inf_float.wav", "32-bit float WAV containing NaN and inf samples", "analysed", True),
                poisoned, sr, "wav", subtype="FLOAT")


def _filesystem_oddities(c: _Corpus, encoded: dict[str, bytes]) -> None:
    flac = encoded["flac"]
    c.add(os.fsdecode(b"caf\xe9 \xff name.flac"), "file name is not valid UTF-8", "analysed", True, data=flac)
    c.add("Ünïcödé 音楽 ♫.flac", "non-ASCII (valid UTF-8) file name", "analysed", True, data=flac)
    c.add("line\nbreak.ogg", "a newline inside the file name", "analysed", True, data=encoded["ogg"])
    locked = c.add("no_permission.mp3", "mode 000", "problem", False, "permission denied", encoded["mp3"])
    locked.chmod(0)
    if _readable(locked):  # root ignores file modes
        c.entries[locked] = BadInput("mode 000, but readable anyway (running as root)", "analysed", True)
    if hasattr(os, "mkfifo"):
        os.mkfifo(c.add("pipe.mp3", "a FIFO named .mp3: opening it would block", "problem", False,
                        "not a regular file"))
    c.add("song.mp3", "an (empty) folder named song.mp3: walk it, do not decode it", "ignored", False,
          "is a folder").mkdir()
    c.add("dangling.mp3", "a symbolic link to a file that does not exist", "problem", False, "file not found"
          ).symlink_to(c.folder / "no-such-file.mp3")
    c.add("loop", "a folder link to its own parent folder: must not be followed forever", "ignored", False
          ).symlink_to(".", target_is_directory=True)
    c.add("link_loop_a.mp3", "two file links pointing at each other", "problem", False, "link loop"
          ).symlink_to("link_loop_b.mp3")
    c.add("link_loop_b.mp3", "two file links pointing at each other", "problem", False, "link loop"
          ).symlink_to("link_loop_a.mp3")
    c.add("vanishes_during_scan.flac", "valid, but deleted by the test once the scan has listed it", "problem",
          True, "not found", flac, vanishes=True)
    c.add("cover.jpg", "not an audio file name (cover art)", "ignored", False, data=c.rng.bytes(4096))
    with open(c.add("zeros_1gb.mp3", "1 GB of zeros named .mp3 (sparse): refused after a bounded read",
                    "problem", False, "not an audio file"), "wb") as fh:
        fh.truncate(1 << 30)


def _tag_and_container_oddities(c: _Corpus, encoded: dict[str, bytes], clip: np.ndarray, sr: int) -> None:
    mp3 = encoded["mp3"]
    c.add("corrupt_id3.mp3", "valid MP3 behind a corrupt ID3v2 tag", "analysed", True,
          data=_corrupt_id3(mp3, c.rng))
    id3 = ID3()
    id3.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=c.rng.bytes(6 << 20)))
    id3.save(c.add("huge_id3.mp3", "valid MP3 behind a 6 MB ID3 tag (embedded picture)", "analysed", True,
                   data=mp3))
    id3 = ID3()
    id3.add(TCON(encoding=3, text=["(17)"]))
    id3.add(TDRC(encoding=3, text=["1999-05-01"]))
    id3.save(c.add("numeric_genre.mp3", "ID3 genre stored as '(17)' (Rock)", "analysed", True, data=mp3))
    no_xing = c.add("vbr_no_xing_header.mp3", "VBR MP3 without a Xing/Info header", "analysed", True)
    _write_mp3_without_header(no_xing, clip, sr)
    for name, tail in (("junk", c.rng.bytes(300_000)), ("zeros", bytes(300_000))):
        c.add(f"{name}_after_last_frame.mp3", f"MP3 without a Xing header followed by {len(tail) // 1000} KB of "
              f"{name}: its guessed length is too long, players play it", "analysed", True,
              data=no_xing.read_bytes() + tail)
    c.add("flac_named.mp3", "valid FLAC named .mp3", "analysed", True, data=encoded["flac"])
    c.add("mp3_named.ogg", "valid MP3 named .ogg", "analysed", True, data=mp3)
    c.add("aac_named.flac", "valid M4A (AAC) named .flac", "analysed", True, data=encoded["m4a"])
    c.add("ogg_named.wav", "valid Ogg Vorbis named .wav", "analysed", True, data=encoded["ogg"])
    _write_video_only(c.add("video_only.m4a", "an MP4 holding video and no sound", "problem", False,
                            "no audio stream"))


def _readable(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


def vanishing(corpus: dict[Path, BadInput]) -> list[Path]:
    """The entries a scanner test deletes mid-scan."""
    return [p for p, bad in corpus.items() if bad.vanishes]


# --- odd encodings ---------------------------------------------------------------------------------

def _write_mp3_without_header(path: Path, y: np.ndarray, sr: int) -> None:
    """VBR MP3 with no Xing/Info header, as old encoders made: its length can only be estimated."""
    pcm = np.clip(y * 32768, -32768, 32767).astype(np.int16)
    with av.open(str(path), "w", format="mp3", options={"write_xing": "0"}) as out:
        stream = out.add_stream("libmp3lame", rate=sr, layout="mono")
        stream.codec_context.qscale = 4
        stream.codec_context.flags |= 2  # AV_CODEC_FLAG_QSCALE: variable bitrate
        for i in range(0, len(pcm), 4096):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[i:i + 4096].reshape(1, -1)),
                                               format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _write_video_only(path: Path) -> None:
    """A real MP4 container with one second of tiny video and no sound."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width = stream.height = 32
        stream.pix_fmt = "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 20, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _corrupt_id3(audio: bytes, rng: np.random.Generator) -> bytes:
    """An ID3v2.3 tag whose first frame claims an absurd size, followed by junk, in front of good audio."""
    body = b"TIT2" + (0x7FFFFFF0).to_bytes(4, "big") + b"\x00\x00\x07" + rng.bytes(300) + bytes(100)
    n = len(body)
    size = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
    return b"ID3\x03\x00\x00" + size + body + audio
