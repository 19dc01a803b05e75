#!/usr/bin/env bash
# Re-records what GNU parallel does in the comparison tests (test/fixtures/gnu-parallel/*.json),
# from the GNU parallel on PATH. Run it after adding or changing a comparison case, and commit
# the JSON; where GNU parallel is installed, the tests then check the recordings stay true.
#   scripts/record-gnu-parallel.sh                  every suite that compares with GNU parallel
#   scripts/record-gnu-parallel.sh test/cli-run.test.ts   one file (its whole recording is rewritten)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v parallel >/dev/null || { echo "record-gnu-parallel: GNU parallel is not on PATH" >&2; exit 1; }
mkdir -p "$HOME/.parallel" && touch "$HOME/.parallel/will-cite"
if [ "$#" -eq 0 ]; then
  mapfile -t files < <(grep -rlE "recorded(Parallel)?\(" test packages/*/test --include='*.test.ts')
  set -- "${files[@]}"
fi
FANOUT_RECORD=1 npx vitest run "$@"
