"""Create bumble devices (host plus virtual controller) on an in-process ``LocalLink``."""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

__all__ = ["LocalLink", "create_device", "new_link", "random_static_address", "remove_device"]

_controller_numbers = itertools.count(1)
_controllers: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def new_link() -> LocalLink:
    """Return a new, empty in-process link (bumble's ``LocalLink`` is untyped)."""
    link: LocalLink = LocalLink()  # type: ignore[no-untyped-call]
    return link


def random_static_address() -> Any:
    """Return a fresh random static address (a typed bumble ``Address``)."""
    return Address.generate_static_address()


async def create_device(link: LocalLink, name: str, address: str | None = None) -> Any:
    """Create a powered-on bumble ``Device`` with its own virtual controller on ``link``.

    The device uses a random static address (generated unless ``address`` is given), because
    ``LocalLink`` routes LE data by the sender's random address.
    """
    typed_address = random_static_address() if address is None else Address(address)
    controller = Controller(f"{name}-{next(_controller_numbers)}", link=link)
    device = Device(
        name=name, address=typed_address, host=Host(controller, AsyncPipeSink(controller))
    )
    _controllers[device] = controller
    await device.power_on()
    return device


def remove_device(link: LocalLink, device: Any) -> None:
    """Detach the virtual controller of ``device`` from ``link`` (idempotent)."""
    controller = _controllers.pop(device, None)
    if controller is not None and controller in link.controllers:
        link.remove_controller(controller)
