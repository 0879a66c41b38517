#!/usr/bin/env bash
# Builds the DocC documentation of the library products with swift-docc-plugin and fails on any
# DocC warning (a broken symbol link, an undocumented parameter in a documented initializer, …).
# Reuses the debug build of `swift test`; about 15-20 s on top of it (plus ~6 s the first time,
# for the plugin's snippet-extract tool).
set -euo pipefail
cd "$(dirname "$0")/.."
swift package --disable-sandbox generate-documentation \
    --target KGCore --target KGFormat --target KGQuery --target KGExport --target KGLayout --target KGReadings \
    --warnings-as-errors
