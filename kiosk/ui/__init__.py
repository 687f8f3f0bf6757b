"""The kiosk's Textual app: the resident and trainer flows on a touchscreen or in a browser."""
