#!/usr/bin/env bash
# Write the every-kind fixture with the real Inspect: run every_kind.py, edit one score (the
# score_edit event), convert the result to its .json twin, copy both to OUT_DIR.
#
# Usage: every_kind.sh ENV_DIR OUT_DIR
#   ENV_DIR  the environment setup.sh built (its bin/inspect-relpaths keeps machine paths out
#            of the stored traceback of the `error` sample)
#   OUT_DIR  gets every-kind.eval and every-kind.json
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ENV_DIR=$(cd "${1:?usage: every_kind.sh ENV_DIR OUT_DIR}" && pwd)
OUT_DIR=${2:?usage: every_kind.sh ENV_DIR OUT_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$HERE"
# `--display rich`: the plain display's input screen records no input event.
# `--max-samples 1`: one sample at a time, so the `error` sample's traceback rendering cannot
# stall the event loop while `all-kinds` runs and push it past the working limit.
XDG_DATA_HOME="$WORK/data" "$ENV_DIR/bin/inspect-relpaths" eval every_kind.py \
  --model mockllm/model --log-format eval --display rich --max-samples 1 --log-dir "$WORK/logs"
LOG=$(ls "$WORK"/logs/*.eval)
"$ENV_DIR/bin/inspect-python" every_kind.py edit-score "$LOG"
"$ENV_DIR/bin/inspect" log convert --to json --output-dir "$WORK/json" "$LOG"

mkdir -p "$OUT_DIR"
cp "$LOG" "$OUT_DIR/every-kind.eval"
cp "$WORK"/json/*.json "$OUT_DIR/every-kind.json"
ls -l "$OUT_DIR"
