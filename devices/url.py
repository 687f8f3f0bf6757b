"""Device URLs: ``scheme://location?option=value`` parsed once, with errors that show a good URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from devices.errors import DeviceUrlError

EXAMPLES = {
    "serial": "serial:///dev/ttyACM0?protocol=gkfp",
}


@dataclass(frozen=True, slots=True)
class DeviceUrl:
    """A parsed device URL: scheme, location (a port path or address) and options."""

    text: str
    scheme: str
    location: str
    options: Mapping[str, str]

    def option(self, name: str, default: str | None = None) -> str | None:
        """Return an option's value, or ``default``."""
        return self.options.get(name, default)

    def check_options(self, allowed: frozenset[str]) -> None:
        """Raise DeviceUrlError for any option not in ``allowed``."""
        unknown = sorted(set(self.options) - allowed)
        if unknown:
            raise DeviceUrlError(
                f"unknown option {unknown[0]!r} in device URL {self.text!r}; "
                f"expected some of: {', '.join(sorted(allowed))} "
                f"(for example {EXAMPLES.get(self.scheme, EXAMPLES['serial'])})"
            )


def parse_device_url(text: str) -> DeviceUrl:
    """Parse a device URL; a URL without a scheme or location is a DeviceUrlError."""
    parts = urlsplit(text)
    if not parts.scheme or "://" not in text:
        raise DeviceUrlError(
            f"device URL {text!r} has no scheme; expected for example {EXAMPLES['serial']}"
        )
    location = parts.netloc + parts.path
    if not location:
        raise DeviceUrlError(
            f"device URL {text!r} names no device; expected for example {EXAMPLES['serial']}"
        )
    pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False)
    names = [name for name, _ in pairs]
    repeated = {name for name in names if names.count(name) > 1}
    if repeated:
        raise DeviceUrlError(f"option {min(repeated)!r} appears twice in {text!r}")
    return DeviceUrl(text=text, scheme=parts.scheme, location=location, options=dict(pairs))
