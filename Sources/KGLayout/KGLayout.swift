// KGLayout module: see docs/ARCHITECTURE.md.
