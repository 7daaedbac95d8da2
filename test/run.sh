#!/usr/bin/env bash
# `make test`'s jest step: the `faults` project (suites that mostly wait, see jest.config.js) in
# a second jest process beside the unit and e2e projects, its output held back and printed after
# theirs. Ends with one closing line for both, "N passed, N failed, N skipped", and fails if either
# did. --forceExit: a suite that fails mid-run may leave a worker process or a long poll behind; the
# failure is reported already and must not also keep CI waiting for its time limit.
set -uo pipefail
cd "$(dirname "$0")/.."
faults_log="$(mktemp)"
main_log="$(mktemp)"
trap 'rm -f "$faults_log" "$main_log"' EXIT

npx jest --selectProjects faults --runInBand --forceExit >"$faults_log" 2>&1 &
faults_pid=$!
npx jest --selectProjects unit e2e --runInBand --forceExit 2>&1 | tee "$main_log"
main_rc=${PIPESTATUS[0]}
wait "$faults_pid"
faults_rc=$?
echo "--- the faults project (ran beside the others) ---"
cat "$faults_log"

# Each jest run's last line comes from test/reporters/summary.js; add them up.
summary='^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$'
passed=0 failed=0 skipped=0
for log in "$main_log" "$faults_log"; do
  line="$(grep -E "$summary" "$log" | tail -1)"
  if [[ $line =~ $summary ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2])) skipped=$((skipped + BASH_REMATCH[3]))
  else
    failed=$((failed + 1)) # that jest run ended before its reporter did
  fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[[ $main_rc -eq 0 && $faults_rc -eq 0 && $failed -eq 0 ]]
