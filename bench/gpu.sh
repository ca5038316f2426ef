#!/usr/bin/env bash
# The suites against torch on every CUDA device, and against CuPy, with one report each.
#
#   bench/gpu.sh [--device cuda|cpu] [--out DIR] [--profile ci] [-- extra pytest args]
#
# --device cuda (the default) runs torch once per CUDA device (--device cuda:N) and CuPy on its
# devices; --device cpu runs torch on the CPU only, so the script can be tested without a GPU.
# Writes DIR/torch-<device>.json, DIR/cupy.json and DIR/summary.md (status counts, wall time).
# Exits 0 when every run finished (pytest exit 0 or 1: failures are verdicts, in the reports),
# non-zero on a usage or internal error. Needs tensorcts installed (pip install '.[torch]').
set -euo pipefail
device=cuda out=reports/gpu profile=ci extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench/gpu.sh: unknown argument $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done
[[ $device == cuda || $device == cpu ]] || { echo "bench/gpu.sh: --device is cuda or cpu, not $device" >&2; exit 2; }
PYTHON=${PYTHON:-python3}
mkdir -p "$out"
summary="$out/summary.md"
printf '| backend | device | wall (s) | pytest exit | statuses |\n|---|---|---:|---:|---|\n' > "$summary"

run() {  # run NAME BACKEND [pytest args...]: one suite run, one report, one summary line
  local name=$1 backend=$2; shift 2
  local report="$out/$name.json" start=$SECONDS rc=0
  echo "== $name" >&2
  "$PYTHON" -m pytest --pyargs tensorcts.suites -q -p no:cacheprovider --backend "$backend" \
    --hypothesis-profile "$profile" --conformance-report "$report" "$@" "${extra[@]}" || rc=$?
  local counts
  counts=$("$PYTHON" -c 'import collections, json, sys
rules = json.load(open(sys.argv[1]))["rules"]
print(", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(r["status"] for r in rules.values()).items())))' \
    "$report" 2>/dev/null || echo "no report")
  printf '| %s | %s | %d | %d | %s |\n' "$backend" "${name#*-}" $((SECONDS - start)) "$rc" "$counts" >> "$summary"
  if (( rc > 1 )); then echo "bench/gpu.sh: $name ended with pytest exit $rc" >&2; return 1; fi
}

status=0
if [[ $device == cpu ]]; then
  run torch-cpu torch --device cpu || status=1
else
  n=$("$PYTHON" -c 'import torch; print(torch.cuda.device_count())')
  if (( n == 0 )); then echo "bench/gpu.sh: torch sees no CUDA device (use --device cpu to test the script)" >&2; exit 2; fi
  for ((i = 0; i < n; i++)); do run "torch-cuda$i" torch --device "cuda:$i" || status=1; done
  if "$PYTHON" -c 'import cupy' 2>/dev/null; then
    run cupy cupy || status=1
  else
    echo "| cupy | - | - | - | not installed (pip install cupy-cuda12x) |" >> "$summary"
  fi
fi
cat "$summary"
exit $status
