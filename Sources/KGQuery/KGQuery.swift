// KGQuery module: see docs/ARCHITECTURE.md.
