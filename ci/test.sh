#!/usr/bin/env bash
# Runs nsunit's tests as root on a Debian/Ubuntu machine, after installing what they need.
#   sudo ci/test.sh examples   the example suite (the main job): Docker's four network modes
#   sudo ci/test.sh all        every test of every module
# The Testcontainers tests get a real, safe Docker engine (ci/docker-engine.sh): started here,
# stopped when this script ends, on success and on failure. If no engine can be had, the
# reason is printed and those tests disable themselves.
# Afterwards it checks that the host's network is unchanged and nothing was left running.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case "$what" in
  examples|all) ;;
  *) echo "usage: $0 examples|all" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ]; then
  echo "ci/test.sh: run as root (sudo ci/test.sh $what): the tests create network namespaces." >&2
  exit 1
fi
ci/install-deps.sh

# The snapshot is taken before the engine starts and compared after it stopped: docker0 and
# every engine process must really be gone.
before=$(mktemp)
trap 'ci/docker-engine.sh stop || true; rm -f "$before"' EXIT
trap 'exit 130' INT TERM   # so the EXIT trap stops the engine on Ctrl-C or a CI timeout too
ci/check-leftovers.sh snapshot "$before"

if ci/docker-engine.sh start; then
  # DOCKER_HOST (our engine's own socket), TESTCONTAINERS_RYUK_DISABLED=true (no registry for
  # the reaper image), TESTCONTAINERS_HOST_OVERRIDE=localhost (this VM has /.dockerenv).
  eval "$(ci/docker-engine.sh env)"
else
  echo "ci/test.sh: no Docker engine (reason above): the Docker tests will be disabled" >&2
fi

status=0
case "$what" in
  examples) mvn -B -ntp verify -pl examples -am -Dtest='*Example*' -Dsurefire.failIfNoSpecifiedTests=false || status=$? ;;
  all) mvn -B -ntp verify || status=$? ;;
esac

ci/docker-engine.sh stop
ci/check-leftovers.sh compare "$before"
exit "$status"
