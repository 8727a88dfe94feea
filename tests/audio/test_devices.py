"""Device resolution by name: one card under several host APIs is the one with the least delay."""

from __future__ import annotations

import pytest

from audio.devices import Device, preferred_default, resolve
from audio.errors import AudioError

MME_CUT = "Speakers (Realtek High Definiti"  # MME keeps 31 characters of a name
FULL = "Speakers (Realtek High Definition Audio)"


def device(index: int, name: str, host_api: str, inputs: int = 0, outputs: int = 2) -> Device:
    return Device(index, name, host_api, inputs, outputs, 48000.0, 0.01, 0.01)


WINDOWS = [
    device(0, "Microsoft Sound Mapper - Output", "MME"),
    device(1, MME_CUT, "MME"),
    device(2, "Microphone (USB Audio)", "MME", inputs=1, outputs=0),
    device(3, FULL, "Windows DirectSound"),
    device(4, "Microphone (USB Audio)", "Windows DirectSound", inputs=1, outputs=0),
    device(5, FULL, "Windows WASAPI"),
    device(6, "Microphone (USB Audio)", "Windows WASAPI", inputs=1, outputs=0),
    device(7, "Headphones (USB Audio)", "Windows WASAPI"),
]


def test_the_same_card_under_several_windows_host_apis_resolves_to_wasapi() -> None:
    assert resolve(FULL, "output", WINDOWS).index == 5
    assert resolve("realtek", "output", WINDOWS).index == 5  # MME's cut-off name is the same card
    assert resolve("Microphone (USB Audio)", "input", WINDOWS).index == 6
    assert resolve("usb audio", "input", WINDOWS).index == 6


def test_directsound_is_preferred_to_mme_when_wasapi_lacks_the_card() -> None:
    without_wasapi = [d for d in WINDOWS if d.host_api != "Windows WASAPI"]
    assert resolve("realtek", "output", without_wasapi).index == 3
    only_mme = [d for d in WINDOWS if d.host_api == "MME"]
    assert resolve("realtek", "output", only_mme).index == 1


def test_core_audio_is_preferred_on_a_mac() -> None:
    mac = [
        device(0, "MacBook Pro Speakers", "JACK Audio Connection Kit"),
        device(1, "MacBook Pro Speakers", "Core Audio"),
    ]
    assert resolve("macbook pro speakers", "output", mac).index == 1


def test_two_different_cards_are_still_an_error_that_lists_both() -> None:
    with pytest.raises(AudioError, match="matches more than one output device"):
        resolve("audio", "output", WINDOWS)
    # An index still means exactly that device, whatever its host API.
    assert resolve(1, "output", WINDOWS).host_api == "MME"


def test_the_default_device_is_the_best_host_apis_default() -> None:
    assert preferred_default([("MME", 1), ("Windows DirectSound", 3), ("Windows WASAPI", 5)]) == 5
    assert preferred_default([("MME", 1), ("Windows DirectSound", 3), ("Windows WASAPI", -1)]) == 3
    assert preferred_default([("ALSA", 4), ("JACK Audio Connection Kit", 9)]) == 4  # PortAudio's order
    assert preferred_default([("ALSA", -1)]) == -1
