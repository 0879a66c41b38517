// KGFormat module: see docs/ARCHITECTURE.md.
