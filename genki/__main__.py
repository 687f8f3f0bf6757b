"""``python -m genki`` runs the command line."""

from genki.cli import main

main()
