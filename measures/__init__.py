"""Scoring with numpy and scipy: pure batch functions, streaming scorers and norm tables.

Batch functions take arrays and a sampling rate and return frozen results with units, quality
flags and an algorithm version; streaming scorers give live estimates and their finish() equals
the batch result.
Definitions follow the clinical reference; norm tables are data files with their provenance.
This package imports nothing else of genki and does no I/O.
"""
