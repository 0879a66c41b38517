// KGReadings module: see docs/ARCHITECTURE.md.
