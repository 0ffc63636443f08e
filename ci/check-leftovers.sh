#!/usr/bin/env bash
# Compares the real host's network and our processes with a snapshot taken before the tests.
#   ci/check-leftovers.sh snapshot FILE   records named namespaces, host links, addresses,
#                                         routes, forwarding sysctls, firewall rules and
#                                         Docker engine processes
#   ci/check-leftovers.sh compare FILE    fails, with a diff, if anything differs or a test
#                                         process (redis-server, a forked test JVM) survived
# Docker engine processes (dockerd, containerd, shims, docker-proxy) are compared by pid, so a
# developer's own Docker running before and after is no leftover, and ours (new pids) is.
set -euo pipefail
mode=$1 file=$2

state() {
  echo "# ip netns"; ip netns list 2>/dev/null | awk '{print $1}' | sort
  echo "# host links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  echo "# host addresses"; ip -o addr show | awk '{print $2, $3, $4}' | sort
  echo "# host routes"; ip route show table all | sort
  echo "# forwarding"; sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding
  echo "# firewall rules"
  { iptables-save; ip6tables-save; } 2>/dev/null | grep '^-A' | sort || true
  echo "# docker engine processes"
  ps -eo pid=,stat=,comm= | awk '$2 !~ /^Z/ && $3 ~ /^(dockerd|containerd|containerd-shim|docker-proxy)$/ { print $1, $3 }' | sort
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
    # Only test JVMs of this checkout (and of the rootless user's copy): other builds on the
    # machine are not ours to judge.
    ours="($(pwd)|/home/nsunit-ci/nsunit)/.*surefirebooter"
    if pgrep -f "$ours" >/dev/null; then
      echo "check-leftovers: a forked test JVM is still running: $(pgrep -a -f "$ours")" >&2
      exit 1
    fi
    echo "check-leftovers: nothing left over (namespaces, host links, addresses, routes, forwarding, firewall, processes)"
    ;;
  *) echo "usage: $0 snapshot|compare FILE" >&2; exit 2 ;;
esac
