"""genki: exercise-room kiosk and monitoring station for elderly-care facilities.

This package holds the command line (genki.cli) on top of everything, and the small shared base
that every station uses: configuration (genki.config) and message catalogues (genki.i18n).
"""

__version__ = "0.1.0"
