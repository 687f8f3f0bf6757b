"""Programme, battery and screening tables (data files with provenance)."""
