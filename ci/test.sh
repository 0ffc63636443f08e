#!/usr/bin/env bash
# Runs nsunit's tests as root on a Debian/Ubuntu machine, after installing what they need.
#   sudo ci/test.sh examples   the example suite (the main job): Docker's four network modes
#   sudo ci/test.sh all        every test of every module
#   sudo ci/test.sh matrix     every test again: as root on JDK 25 with JUnit 6, then rootless as
#                              an unprivileged user (ci/run-rootless.sh); .ci/run runs all and matrix
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
  matrix)
    # The newest JDK with the newest JUnit; "all" already covered JDK 17 with JUnit 5.
    jdk25=${NSUNIT_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
    if [ -x "$jdk25/bin/java" ]; then
      echo "ci/test.sh matrix: as root, JDK 25 ($jdk25), JUnit 6"
      JAVA_HOME=$jdk25 mvn -B -ntp verify -Pjunit6
    else
      echo "ci/test.sh matrix: no JDK 25 at $jdk25 (set NSUNIT_JDK25): skipping it; JUnit 6 on the default JDK"
      mvn -B -ntp verify -Pjunit6
    fi
    echo "ci/test.sh matrix: rootless, as an unprivileged user, default JDK, JUnit 5"
    ci/run-rootless.sh
    ;;
  *) echo "usage: $0 examples|all|matrix" >&2; exit 2 ;;
esac

ci/check-leftovers.sh compare "$before"
