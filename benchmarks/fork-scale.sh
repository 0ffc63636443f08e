#!/usr/bin/env bash
# Many JVMs (README "Many JVMs"): runs the ForkScale workload (8 classes x 40 bridge-endpoint tests)
# with Surefire forkCount 1..MAX, each fork running JUnit 4-way parallel, REPS times, and prints
# the wall time of each run, with how busy the machine's CPUs were meanwhile (/proc/stat: busy and
# kernel time as a % of all CPUs; "busy" near 100 means more forks cannot help). Run as root from the
# repository root after `mvn -B -o install -DskipTests`.
set -euo pipefail
MAX=${MAX:-4}
REPS=${REPS:-3}
PARALLEL=(-Djunit.jupiter.execution.parallel.enabled=true
  -Djunit.jupiter.execution.parallel.mode.default=concurrent
  -Djunit.jupiter.execution.parallel.mode.classes.default=concurrent
  -Djunit.jupiter.execution.parallel.config.strategy=fixed
  -Djunit.jupiter.execution.parallel.config.fixed.parallelism=4)
# /proc/stat's cpu line: user nice system idle iowait irq softirq steal ...
cpu() { awk '/^cpu / {print $2 + $3, $4 + $7 + $8, $5 + $6}' /proc/stat; }
echo "forks rep wall_s tests busy% kernel%"
for rep in $(seq 1 "$REPS"); do
  for forks in $(seq 1 "$MAX"); do
    start=$(date +%s.%N)
    read -r u0 k0 i0 < <(cpu)
    log=$(mktemp)
    if ! mvn -B -ntp -o -q -pl benchmarks surefire:test -Dtest='ForkScale*Tests' -DforkCount="$forks" \
        -DreuseForks=true "${PARALLEL[@]}" >"$log" 2>&1; then
      cat "$log"; rm -f "$log"; echo "forkCount=$forks failed" >&2; exit 1
    fi
    end=$(date +%s.%N)
    read -r u1 k1 i1 < <(cpu)
    tests=$(grep -ho 'tests="[0-9]*"' benchmarks/target/surefire-reports/TEST-*ForkScale*.xml \
      | grep -o '[0-9]*' | awk '{s += $1} END {print s}')
    awk -v f="$forks" -v r="$rep" -v s="$start" -v e="$end" -v t="$tests" -v u=$((u1 - u0)) -v k=$((k1 - k0)) \
      -v i=$((i1 - i0)) 'BEGIN {all = u + k + i; printf "%d %d %.2f %d %.0f %.0f\n", f, r, e - s, t,
      100 * (u + k) / all, 100 * k / all}'
    rm -f "$log"
  done
done
