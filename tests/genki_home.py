"""An isolated genki home for command-line tests: XDG folders, a configuration file, a runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from genki.cli import cli


@dataclass
class GenkiHome:
    """An isolated home: XDG folders, a configuration file and a way to run commands."""

    root: Path
    config_file: Path
    database_file: Path

    def env(self) -> dict[str, str]:
        """Environment for a genki process that uses only this home."""
        return {
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "GENKI_CONFIG": str(self.config_file),
        }

    def run(self, *args: str, input_text: str | None = None) -> Result:
        """Run ``genki ARGS`` in-process and return the result."""
        return CliRunner().invoke(cli, list(args), env=self.env(), input=input_text)
