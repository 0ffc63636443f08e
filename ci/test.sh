#!/usr/bin/env bash
# Runs nsunit's tests as root on a Debian/Ubuntu machine, after installing what they need.
#   sudo ci/test.sh examples   the example suite (the main job): Docker's four network modes
#   sudo ci/test.sh all        every test of every module
# Afterwards it checks that the host's network is unchanged and nothing was left running.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

if [ "$(id -u)" != 0 ]; then
  echo "ci/test.sh: run as root (sudo ci/test.sh $what): the tests create network namespaces." >&2
  exit 1
fi
ci/install-deps.sh

before=$(mktemp)
trap 'rm -f "$before"' EXIT
ci/check-leftovers.sh snapshot "$before"

case "$what" in
  examples) mvn -B -ntp verify -pl examples -am -Dtest='*Example*' -Dsurefire.failIfNoSpecifiedTests=false ;;
  all) mvn -B -ntp verify ;;
  *) echo "usage: $0 examples|all" >&2; exit 2 ;;
esac

ci/check-leftovers.sh compare "$before"
