"""Encoders for the Bluetooth SIG health profiles, and the peripheral base the vital signs share.

A second, independent implementation of the wire formats (ble-health-profiles.md §2, §3): every
constant is written here as a literal. Numbers are little-endian.

Rounding: a value is taken as the decimal of its shortest ``repr`` (36.6 is 366 × 10⁻¹, not the
binary float's expansion) and rounded **half to even** to the chosen decimal exponent. Without an
explicit exponent the encoder picks the smallest one (at most 0) that represents the value exactly;
when the mantissa would not fit it raises the exponent, rounding, until it does. Mantissas stay
clear of the special values (§2.3): SFLOAT |mantissa| ≤ 2045, FLOAT |mantissa| ≤ 8 388 605.

``SigPeripheral`` adds what every vital-sign peripheral needs to the ``Peripheral`` base: one SIG
service, a ``sent`` record (ground truth) of every value pushed, a slow-link delay before each
value, and garbage values.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from bumble.gatt import Characteristic, Service

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import Peripheral, sig_uuid

__all__ = [
    "SFLOAT_NAN",
    "SigPeripheral",
    "characteristic",
    "date_time",
    "fixed_point",
    "ieee_float",
    "sfloat",
]

SFLOAT_NAN = b"\xff\x07"


def fixed_point(value: float, step: str) -> int:
    """Return ``value / step`` rounded half to even, taking ``value`` as its shortest decimal."""
    exact = Decimal(repr(float(value)))
    if not exact.is_finite():
        raise ValueError(f"cannot encode {value!r}")
    return int((exact / Decimal(step)).to_integral_value(ROUND_HALF_EVEN))


def _split(
    value: float, exponent: int | None, limit: int, exponents: tuple[int, int]
) -> tuple[int, int]:
    """Return the (mantissa, exponent) pair of ``value`` under the rounding rule above."""
    low, high = exponents
    chosen = exponent
    if chosen is None:
        digits = Decimal(repr(float(value))).normalize().as_tuple().exponent
        chosen = max(low, min(0, digits if isinstance(digits, int) else 0))
    mantissa = fixed_point(value, f"1E{chosen}")
    while exponent is None and abs(mantissa) > limit and chosen < high:
        chosen += 1
        mantissa = fixed_point(value, f"1E{chosen}")
    if abs(mantissa) > limit or not low <= chosen <= high:
        raise ValueError(f"{value!r} does not fit with exponent {chosen}")
    return mantissa, chosen


def sfloat(value: float, exponent: int | None = None) -> bytes:
    """Encode an IEEE-11073 16-bit SFLOAT (§2.1): 12-bit mantissa, 4-bit exponent."""
    mantissa, chosen = _split(value, exponent, 2045, (-8, 7))
    return ((chosen & 0xF) << 12 | mantissa & 0xFFF).to_bytes(2, "little")


def ieee_float(value: float, exponent: int | None = None) -> bytes:
    """Encode an IEEE-11073 32-bit FLOAT (§2.2): 24-bit mantissa, 8-bit exponent."""
    mantissa, chosen = _split(value, exponent, 0x7FFFFD, (-128, 127))
    return ((chosen & 0xFF) << 24 | mantissa & 0xFFFFFF).to_bytes(4, "little")


def date_time(moment: datetime) -> bytes:
    """Encode a Date Time field (§3.1): year u16, month, day, hours, minutes, seconds."""
    return moment.year.to_bytes(2, "little") + bytes(
        (moment.month, moment.day, moment.hour, moment.minute, moment.second)
    )


def characteristic(
    uuid16: int, properties: Characteristic.Properties, value: bytes = b""
) -> Characteristic[bytes]:
    """Return a readable-permission characteristic with the given SIG UUID and properties."""
    return Characteristic(f"{uuid16:04X}", properties, Characteristic.READABLE, value)


class SigPeripheral(Peripheral):
    """A peripheral with one SIG service, a ``sent`` record, a slow-link delay and garbage faults.

    ``sent`` lists (128-bit characteristic UUID, value) for every value pushed while switched on,
    in order. ``send_delay_s`` (slow link) is waited before every value.
    """

    def __init__(
        self,
        link: LocalLink,
        name: str,
        service_uuid16: int,
        characteristics: Sequence[Characteristic[bytes]],
        *,
        send_delay_s: float = 0.0,
    ) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.send_delay_s = send_delay_s
        service = Service(f"{service_uuid16:04X}", list(characteristics))
        super().__init__(link, name, [service], [sig_uuid(service_uuid16)])

    async def send(self, target: Characteristic[bytes], value: bytes) -> bool:
        """Indicate ``value`` (notify if ``target`` can notify); False if switched off.

        An indication returns once every subscriber has confirmed it.
        """
        if self.send_delay_s > 0:
            await asyncio.sleep(self.send_delay_s)
        if not self.is_on:
            return False
        self.sent.append((sig_uuid(int(target.uuid.to_hex_str(), 16)), bytes(value)))
        if target.properties & Characteristic.Properties.NOTIFY:
            await self.notify(target, value)
        else:
            await self.indicate(target, value)
        return self.is_on

    async def send_garbage(
        self, target: Characteristic[bytes], n: int, seed: int, *, max_length: int = 12
    ) -> list[bytes]:
        """Fault: send ``n`` random values of 0 to ``max_length`` bytes; return those sent."""
        rng = np.random.default_rng(seed)
        values: list[bytes] = []
        for length in rng.integers(0, max_length + 1, size=n):
            value = rng.bytes(int(length))
            if not await self.send(target, value):
                break
            values.append(value)
        return values

    @staticmethod
    def _timestamp(timestamp: datetime | None) -> bytes:
        """Date Time of ``timestamp``, or of the device clock (local time) when None."""
        return date_time(timestamp or datetime.now(UTC).astimezone())
