#!/usr/bin/env bash
# Compares the real host's network and our processes with a snapshot taken before the tests.
#   ci/check-leftovers.sh snapshot FILE   records named namespaces, host links and addresses
#   ci/check-leftovers.sh compare FILE    fails, with a diff, if anything differs or a test
#                                         process (redis-server, a forked test JVM) survived
set -euo pipefail
mode=$1 file=$2

state() {
  echo "# ip netns"; ip netns list 2>/dev/null | awk '{print $1}' | sort
  echo "# host links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  echo "# host addresses"; ip -o addr show | awk '{print $2, $3, $4}' | sort
  echo "# host routes"; ip route show table all | sort
}

case "$mode" in
  snapshot) state > "$file" ;;
  compare)
    if ! diff -u "$file" <(state); then
      echo "check-leftovers: the tests changed the host's network or left namespaces behind (diff above)" >&2
      exit 1
    fi
    if pgrep -x redis-server >/dev/null; then
      echo "check-leftovers: redis-server still running: $(pgrep -a -x redis-server)" >&2
      exit 1
    fi
    if pgrep -f surefirebooter >/dev/null; then
      echo "check-leftovers: a forked test JVM is still running: $(pgrep -a -f surefirebooter)" >&2
      exit 1
    fi
    echo "check-leftovers: nothing left over (namespaces, host links, addresses, routes, processes)"
    ;;
  *) echo "usage: $0 snapshot|compare FILE" >&2; exit 2 ;;
esac
