#!/usr/bin/env bash
# After a failed ctest run: repeat each failed check and sanitizer report at the very end of the
# output, where a CI log cut in the middle still shows them. Usage: failed-checks.sh BUILD_DIR
set -uo pipefail
log="$1/Testing/Temporary/LastTest.log"
[ -f "$log" ] || exit 0
echo "=== failed checks (from $log) ==="
grep -a -E 'error: in "|fatal error: in "|critical check|ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error:|\*\*\* [0-9]+ failures? (is|are) detected' "$log" | tail -n 60
