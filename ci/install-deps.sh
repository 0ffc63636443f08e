#!/usr/bin/env bash
# Installs what nsunit's tests need on a fresh Debian/Ubuntu machine (run as root):
#   iproute2 (ip, ss: the tests' independent oracle), util-linux (nsenter, setpriv, unshare),
#   redis-server (the container-mode example runs a real one inside a namespace),
#   python3 (a v6-only listener in the oracle tests), a JDK 17 and Maven if absent.
# redis-server is installed without starting its system service: the example starts its own
# inside a namespace, and nothing may listen on the real host.
set -euo pipefail

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v ss >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
command -v setpriv >/dev/null || need+=(util-linux)
command -v redis-server >/dev/null || need+=(redis-server)
command -v python3 >/dev/null || need+=(python3)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)

if [ ${#need[@]} -gt 0 ]; then
  echo "ci/install-deps.sh: installing ${need[*]}"
  # Keep package scripts from starting services (redis) on the real host while installing.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# If a package script started a redis on the host anyway, stop it: tests own their redis.
if pgrep -x redis-server >/dev/null 2>&1 && [ -x /etc/init.d/redis-server ]; then
  /etc/init.d/redis-server stop >/dev/null 2>&1 || true
fi
