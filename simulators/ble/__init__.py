"""BLE peripherals emulated with bumble on an in-process link, and a bleak backend to reach them."""
