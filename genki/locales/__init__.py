"""Message catalogues (TOML), one file per language."""
