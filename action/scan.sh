#!/usr/bin/env bash
# The Scan step of action.yml: runs `torchward scan` for the JSON report (job summary and
# annotations), the SARIF report (code scanning) and the format asked for, and writes the step's
# outputs. Inputs come as environment variables: TW_PATH, TW_FORMAT, TW_FAIL_ON, TW_CONFIG, TW_SARIF.
set -uo pipefail
cli=(node "$GITHUB_ACTION_PATH/dist/cli/main.js" scan --no-progress)
out="${RUNNER_TEMP:-/tmp}/torchward"
mkdir -p "$out"
read -r -a paths <<<"${TW_PATH:-.}"
opts=(--fail-on "${TW_FAIL_ON:-low}")
if [ -n "${TW_CONFIG:-}" ]; then opts+=(--config "$TW_CONFIG"); fi
case "${TW_FORMAT:-sarif}" in
  text | json | sarif | cyclonedx) ;;
  *)
    echo "torchward: format must be text, json, sarif or cyclonedx, not '${TW_FORMAT}'" >&2
    exit 2
    ;;
esac

"${cli[@]}" "${opts[@]}" --format json -o "$out/report.json" -- "${paths[@]}"
code=$?
echo "json=$out/report.json" >>"$GITHUB_OUTPUT"
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
if [ "$code" -eq 2 ] || [ "$code" -eq 4 ]; then
  exit "$code"
fi
if [ "${TW_SARIF:-true}" = "true" ] || [ "$TW_FORMAT" = "sarif" ]; then
  "${cli[@]}" "${opts[@]}" --format sarif -o "$out/report.sarif" -- "${paths[@]}"
  echo "sarif=$out/report.sarif" >>"$GITHUB_OUTPUT"
fi
case "$TW_FORMAT" in
  json) report="$out/report.json" ;;
  sarif) report="$out/report.sarif" ;;
  *)
    report="$out/report.$TW_FORMAT"
    "${cli[@]}" "${opts[@]}" --format "$TW_FORMAT" -o "$report" -- "${paths[@]}"
    ;;
esac
echo "report=$report" >>"$GITHUB_OUTPUT"
exit 0
