"""Device URLs: parsed once; mistakes get a message with an example of a good URL."""

from __future__ import annotations

import pytest

from devices.errors import DeviceUrlError
from devices.registry import open_device
from devices.url import parse_device_url


def test_a_serial_url_gives_path_and_options() -> None:
    url = parse_device_url("serial:///dev/ttyACM0?protocol=gkfp&rate=500")
    assert (url.scheme, url.location) == ("serial", "/dev/ttyACM0")
    assert url.options == {"protocol": "gkfp", "rate": "500"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("/dev/ttyACM0", "has no scheme"),
        ("serial://", "names no device"),
        ("serial:///dev/x?protocol=a&protocol=b", "appears twice"),
    ],
)
def test_malformed_urls_are_refused_with_an_example(text: str, fragment: str) -> None:
    with pytest.raises(DeviceUrlError, match=fragment):
        parse_device_url(text)


def test_unknown_protocols_and_options_name_what_exists() -> None:
    with pytest.raises(DeviceUrlError, match=r"known device URLs: serial://\.\.\.\?protocol=chro"):
        open_device("serial:///dev/ttyACM0?protocol=wii")
    with pytest.raises(DeviceUrlError, match="unknown option 'colour'"):
        open_device("serial:///dev/ttyACM0?protocol=gkfp&colour=red")


def test_an_hx711_plate_in_counts_needs_a_calibration() -> None:
    with pytest.raises(DeviceUrlError, match="gives no calibration"):
        open_device("serial:///dev/ttyUSB0?protocol=hx711&spacing_mm=433x238")
    with pytest.raises(DeviceUrlError, match="spacing_mm=AxB"):
        open_device("serial:///dev/ttyUSB0?protocol=hx711&slope=0.001")
    with pytest.raises(DeviceUrlError, match="four comma-separated"):
        open_device("serial:///dev/ttyUSB0?protocol=hx711&slope=1,2&spacing_mm=433x238")
