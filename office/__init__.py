"""The office station: ingest service runner, Textual viewer (servable to a browser), reports, exports."""
