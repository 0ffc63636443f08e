#!/usr/bin/env bash
# Runs nsunit's tests as root on a Debian/Ubuntu machine, after installing what they need.
#   ci/test.sh examples        the example suite (the main job): Docker's network modes, user-defined networks and drivers
#   ci/test.sh all             ci/lint-shell.sh (shellcheck over these scripts), then every test
#                              of every module
#   ci/test.sh matrix          every test again: as root on JDK 25 with JUnit 6, then rootless as
#                              an unprivileged user (ci/run-rootless.sh), then a user's project
#                              (examples/starter) from an empty local repository, as root and
#                              rootless (ci/starter.sh); .ci/run runs all and matrix
# The Testcontainers tests get a real, safe Docker engine (ci/docker-engine.sh): started here,
# stopped when this script ends, on success and on failure. If no engine can be had, the
# reason is printed and those tests disable themselves.
# Afterwards it checks that the host's network is unchanged and nothing was left running.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case "$what" in
  examples|all|matrix) ;;
  *) echo "usage: $0 examples|all|matrix" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ]; then
  echo "ci/test.sh: run it as root (uid 0): the tests create network namespaces, and it installs packages." >&2
  exit 1
fi
# The scripts that change this host (packages, a daemon, policy-rc.d) are checked before they run.
if [ "$what" = all ]; then
  ci/lint-shell.sh
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
  examples)
    # Build what the examples use without running its tests, then run only the examples module
    # (its Docker example runs in a surefire execution of its own; see examples/pom.xml).
    { mvn -B -ntp -q install -DskipTests -pl bom,examples -am && mvn -B -ntp verify -pl examples; } || status=$?
    ;;
  all) mvn -B -ntp verify || status=$? ;;
  matrix)
    # The newest JDK with the newest JUnit; "all" already covered JDK 17 with JUnit 5.
    jdk25=${NSUNIT_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
    if [ -x "$jdk25/bin/java" ]; then
      echo "ci/test.sh matrix: as root, JDK 25 ($jdk25), JUnit 6"
      JAVA_HOME=$jdk25 mvn -B -ntp verify -Pjunit6 || status=$?
    else
      echo "ci/test.sh matrix: no JDK 25 at $jdk25 (set NSUNIT_JDK25): skipping it; JUnit 6 on the default JDK"
      mvn -B -ntp verify -Pjunit6 || status=$?
    fi
    if [ "$status" = 0 ]; then
      echo "ci/test.sh matrix: rootless, as an unprivileged user, default JDK, JUnit 5"
      ci/run-rootless.sh || status=$?
    fi
    if [ "$status" = 0 ]; then
      echo "ci/test.sh matrix: examples/starter, a user's project, from an empty local repository, as root and rootless"
      ci/starter.sh || status=$?
    fi
    ;;
esac

ci/docker-engine.sh stop
ci/check-leftovers.sh compare "$before"
exit "$status"
