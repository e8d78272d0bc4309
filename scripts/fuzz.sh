#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan + LeakSanitizer) and runs each
# for a bounded time: scripts/fuzz.sh [seconds per target, default 60] [target...].
# Seeds: fuzz/corpus/<target>/ and tests/fuzz_regressions/<target>/ (both read-only here; new
# coverage goes to a scratch corpus). Any crash, leak, timeout or sanitizer report fails the
# run, and the input that caused it is copied to tests/fuzz_regressions/<target>/ so that,
# once committed, the normal suite replays it for ever (ctest -R fuzz_regression).
# Env: FUZZ_DIR (build directory, default build-fuzz), FUZZ_JOBS (targets run at once,
# default nproc), FUZZ_WORK (scratch directory, default $FUZZ_DIR/fuzz-run).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
build="${FUZZ_DIR:-build-fuzz}"
jobs="${FUZZ_JOBS:-$(nproc)}"
work="${FUZZ_WORK:-$build/fuzz-run}"

targets=("$@")
if ((${#targets[@]} == 0)); then
  # The one list of targets, in fuzz/targets.cmake.
  read -r -a targets < <(sed -n 's/^set(FLUXSTATUS_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/targets.cmake)
fi

CC="${FUZZ_CC:-clang}" CXX="${FUZZ_CXX:-clang++}" \
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DFLUXSTATUS_FUZZ=ON >/dev/null
cmake --build "$build" --target "${targets[@]/#/fuzz_}" -j "$jobs"

rm -rf "$work"
mkdir -p "$work"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/fuzz/ubsan.supp"

run_one() {
  local target="$1" dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  local seeds=()
  for s in "fuzz/corpus/$target" "tests/fuzz_regressions/$target"; do
    [[ -d "$s" ]] && seeds+=("$s")
  done
  local status=0
  "$build/fuzz/fuzz_$target" "$dir/corpus" "${seeds[@]}" \
    -max_total_time="$seconds" -print_final_stats=1 -detect_leaks=1 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$dir/artifacts/" >"$dir/log" 2>&1 || status=$?
  echo "$status" >"$dir/status"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=0
printf '\n%-16s %12s %8s  %s\n' target executions seconds result
for t in "${targets[@]}"; do
  dir="$work/$t"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$dir/log" | tail -1)
  status=$(cat "$dir/status")
  result=ok
  found=("$dir"/artifacts/*)
  if [[ "$status" != 0 || -e "${found[0]}" ]]; then
    result="FAILED (exit $status, log $dir/log)"
    failed=1
    if [[ -e "${found[0]}" ]]; then
      mkdir -p "tests/fuzz_regressions/$t"
      cp "${found[@]}" "tests/fuzz_regressions/$t/"
      result+="; kept ${#found[@]} input(s) in tests/fuzz_regressions/$t/"
    fi
    grep -E "ERROR: |runtime error:|fuzz property violated|SUMMARY:" "$dir/log" | head -5 | sed 's/^/    /' >&2 || true
  fi
  printf '%-16s %12s %8s  %s\n' "$t" "${execs:-?}" "${took:-$seconds}" "$result"
done
exit "$failed"
