// KGExport module: see docs/ARCHITECTURE.md.
