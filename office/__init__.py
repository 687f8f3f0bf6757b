"""The office station: ingest runner, Textual viewer (servable to a browser), reports, exports."""
