"""The sound output: loading PortAudio (sounddevice), finding the default device, what it can play.

Every way of having no sound ends in ``AudioUnavailable`` with a sentence the UI can show as is.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class AudioUnavailable(Exception):
    """No way to play sound here: PortAudio missing, no output device, or the device refused."""


def load_sounddevice() -> Any:
    """Import sounddevice lazily: its import loads PortAudio and raises OSError when it is missing."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioUnavailable(
            f"Preview is unavailable: the PortAudio sound library could not be loaded ({exc})."
        ) from exc
    except ImportError as exc:
        raise AudioUnavailable(
            f"Preview is unavailable: the sounddevice module is not installed ({exc})."
        ) from exc
    return sounddevice


def default_output_device() -> dict:
    """The default output device's description; AudioUnavailable when there is none."""
    sd = load_sounddevice()
    no_device = "Preview is unavailable: no audio output device was found."
    try:
        device = sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError) as exc:  # PortAudio reports no default output as device -1
        log.info("No default output device: %s", exc)
        raise AudioUnavailable(no_device) from exc
    if not device or device.get("max_output_channels", 0) < 1:
        raise AudioUnavailable(no_device)
    return device


def output_channels(device: dict) -> int:
    """Stereo, or mono on a one-channel device."""
    return min(2, int(device["max_output_channels"]))


def plays_rate(sd: Any, device: dict, rate: int) -> bool:
    """Whether ``device`` accepts float32 output at ``rate`` Hz."""
    try:
        sd.check_output_settings(device=device["index"], samplerate=rate, dtype="float32",
                                 channels=output_channels(device))
    except (sd.PortAudioError, ValueError):
        return False
    return True
