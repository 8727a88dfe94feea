"""Sound devices: list them, pick one by name or number, check it can do what we ask.

Names are matched the way people type them: case-insensitive substring, an exact
name wins over partial ones, and two partial matches are an error that lists both
rather than a silent guess (the wrong device in a hearing aid is worse than none).
One card offered by several host APIs is one device: the host API with the least delay
is chosen (Windows: WASAPI, then DirectSound, then MME, which adds tens of milliseconds;
macOS: Core Audio).

sounddevice is imported only inside the functions that ask PortAudio, so `Device` and
`resolve(..., devices=...)` work in a process that must not load PortAudio (the app: on
JACK, loading it makes the process a client that takes part in every cycle).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from audio.errors import AudioError

Direction = Literal["input", "output"]

# Output devices whose names say Bluetooth. A2DP adds 150-270 ms, which a
# person hearing the room live notices at once (echo of their own voice, lips
# out of sync), so we warn rather than refuse.
_BLUETOOTH = re.compile(r"blue(z|tooth)|airpods|a2dp|\bbt\b|buds|hands-?free|hfp|headset", re.IGNORECASE)
HIGH_LATENCY_S = 0.040
# Host APIs offering the same card, best first; any other keeps PortAudio's order after these.
PREFERRED_HOST_APIS = ("Core Audio", "Windows WASAPI", "Windows DirectSound", "MME")
MME_NAME_CHARS = 31  # MME cuts device names to this many characters


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    default_low_input_latency: float
    default_low_output_latency: float

    def describe(self) -> str:
        return (
            f"{self.index:3d}  {self.name}  [{self.host_api}]  in {self.max_input_channels}, "
            f"out {self.max_output_channels}, {self.default_samplerate:g} Hz, low latency "
            f"in {1000 * self.default_low_input_latency:.1f} ms"
            f" / out {1000 * self.default_low_output_latency:.1f} ms"
        )


def _device(info: dict[str, Any], host_apis: tuple[Any, ...]) -> Device:
    return Device(
        index=int(info["index"]),
        name=str(info["name"]),
        host_api=str(host_apis[info["hostapi"]]["name"]),
        max_input_channels=int(info["max_input_channels"]),
        max_output_channels=int(info["max_output_channels"]),
        default_samplerate=float(info["default_samplerate"]),
        default_low_input_latency=float(info["default_low_input_latency"]),
        default_low_output_latency=float(info["default_low_output_latency"]),
    )


def list_devices() -> list[Device]:
    """Every device PortAudio currently knows (call `rescan` first to see newly plugged ones)."""
    import sounddevice as sd

    try:
        infos = sd.query_devices()
        host_apis = sd.query_hostapis()
    except sd.PortAudioError as e:
        raise AudioError(f"Could not list sound devices: {e}. Check that the audio system is running.") from e
    return [_device(info, host_apis) for info in infos]


def rescan() -> None:
    """Make PortAudio re-read the device list. Only safe while no stream is open."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()


def _channels(device: Device, direction: Direction) -> int:
    return device.max_input_channels if direction == "input" else device.max_output_channels


def host_api_rank(host_api: str) -> int:
    """0 for the best host API; the same for every host API not in PREFERRED_HOST_APIS."""
    return (
        PREFERRED_HOST_APIS.index(host_api) if host_api in PREFERRED_HOST_APIS else len(PREFERRED_HOST_APIS)
    )


def preferred_default(host_api_defaults: list[tuple[str, int]]) -> int:
    """The default device of the best host API that has one: `host_api_defaults` is (name, device
    index or -1) per host API in PortAudio's order, whose first (MME on Windows) is its own pick."""
    ranked = sorted(host_api_defaults, key=lambda api: host_api_rank(api[0]))  # stable: ties keep order
    return next((index for _, index in ranked if index >= 0), -1)


def _default(direction: Direction, devices: list[Device]) -> Device:
    import sounddevice as sd

    index = sd.default.device[0 if direction == "input" else 1]
    if index is None or index < 0:
        try:
            apis = sd.query_hostapis()
            index = preferred_default(
                [(str(a["name"]), int(a["default_" + direction + "_device"])) for a in apis]
            )
        except sd.PortAudioError:
            index = -1
    by_index = {d.index: d for d in devices}
    if index in by_index and _channels(by_index[index], direction) > 0:
        return by_index[index]
    usable = [d for d in devices if _channels(d, direction) > 0]
    if not usable:
        raise AudioError(
            f"No {direction} device found. Plug in {'a microphone' if direction == 'input' else 'headphones'}"
            " (or start the audio server) and run 'hark devices' to check."
        )
    return usable[0]


def resolve(spec: int | str | None, direction: Direction, devices: list[Device] | None = None) -> Device:
    """Find the device meant by `spec`: None (the default), an index, or part of a name."""
    devices = list_devices() if devices is None else devices
    if spec is None or spec == "":
        return _default(direction, devices)
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        match = [d for d in devices if d.index == index]
        if not match:
            raise AudioError(f"There is no device number {index}. Run 'hark devices' to see the numbers.")
        if _channels(match[0], direction) == 0:
            raise AudioError(
                f"Device {index} ('{match[0].name}') has no {direction} channels. "
                f"Run 'hark devices' and pick one with {direction} channels."
            )
        return match[0]
    wanted = spec.strip().lower()
    usable = [d for d in devices if _channels(d, direction) > 0]
    exact = [d for d in usable if d.name.lower() == wanted]
    candidates = exact or [d for d in usable if wanted in d.name.lower()]
    if not candidates:
        raise AudioError(f"No {direction} device matches '{spec}'. Run 'hark devices' to see the names.")
    if len(candidates) > 1 and not exact and not _one_card(candidates):
        listed = "; ".join(f"{d.index}: {d.name} [{d.host_api}]" for d in candidates)
        raise AudioError(
            f"'{spec}' matches more than one {direction} device ({listed}). "
            "Give more of the name, or the device number."
        )
    # One card under several host APIs: the one with the least delay.
    return min(candidates, key=lambda d: host_api_rank(d.host_api))


def _one_card(devices: list[Device]) -> bool:
    """True when the names are all one card's: equal, or MME's cut-off start of the others."""
    names = sorted({d.name.lower() for d in devices}, key=len)
    shortest = names[0]
    return all(n == shortest for n in names) or (
        len(shortest) >= MME_NAME_CHARS and all(n.startswith(shortest) for n in names)
    )


def check_rate(device: Device, direction: Direction, sample_rate: int, channels: int = 1) -> None:
    """Raise a clear AudioError when `device` cannot run at `sample_rate`."""
    import sounddevice as sd

    check = sd.check_input_settings if direction == "input" else sd.check_output_settings
    try:
        check(device=device.index, channels=channels, dtype="float32", samplerate=sample_rate)
    except (sd.PortAudioError, ValueError) as e:
        raise AudioError(
            f"The {direction} device '{device.name}' cannot run at {sample_rate} Hz with {channels} "
            f"channel(s) ({e}). Its own rate is {device.default_samplerate:g} Hz: choose that rate "
            "or another device."
        ) from e


def warn_if_high_latency(device: Device) -> str | None:
    """A plain-English warning when `device` (an output) will delay sound noticeably, else None."""
    bluetooth = bool(_BLUETOOTH.search(device.name))
    slow = device.default_low_output_latency > HIGH_LATENCY_S
    if not (bluetooth or slow):
        return None
    why = (
        f"'{device.name}' looks like a Bluetooth device"
        if bluetooth
        else f"'{device.name}' reports {1000 * device.default_low_output_latency:.0f} ms of output delay"
    )
    return (
        f"{why}. Bluetooth headphones add 150-270 ms of delay: you would hear people after you see their "
        "lips move, and your own voice as an echo. Wired headphones (or a neckloop with a telecoil "
        "hearing aid) keep the delay to a few milliseconds."
    )
