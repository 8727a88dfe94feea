"""Which host-API settings a stream asks for: WASAPI exclusive first on Windows, shared after."""

from __future__ import annotations

from audio.devices import Device
from audio.stream import _host_settings


def _device(host_api: str) -> Device:
    return Device(3, "Headset", host_api, 1, 2, 48000.0, 0.003, 0.003)


def test_wasapi_asks_for_exclusive_mode_first_then_shared() -> None:
    first, second = _host_settings(_device("Windows WASAPI"), _device("Windows WASAPI"))
    assert first is not None and all(part._streaminfo.flags == 1 for part in first)  # paWinWasapiExclusive
    assert second is not None and all(part._streaminfo.flags == 0x40 for part in second)  # autoConvert


def test_other_host_apis_and_mixed_pairs_ask_for_nothing_special() -> None:
    assert _host_settings(_device("JACK Audio Connection Kit"), _device("JACK Audio Connection Kit")) == [
        None
    ]
    assert _host_settings(_device("Windows WASAPI"), _device("MME")) == [None]
