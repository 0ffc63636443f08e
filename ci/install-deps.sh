#!/usr/bin/env bash
# Installs what nsunit's tests need on a fresh Debian/Ubuntu machine (run as root):
#   iproute2 (ip, ss: the tests' independent oracle), nftables (nft -j: the oracle of the
#   in-process nf_tables requests), util-linux (nsenter, setpriv, unshare),
#   redis-server (the container-mode example runs a real one inside a namespace),
#   python3 (a v6-only listener in the oracle tests), dig (bind9-dnsutils: the oracle of the
#   endpoints' DNS server), strace (captures iproute2's ipvlan request, which this kernel
#   refuses), ping (iputils-ping: the oracle of added latency), tcpdump (reads the pcap files
#   a failed test leaves), a JDK 17 and Maven if absent.
# redis-server is installed without starting its system service: the example starts its own
# inside a namespace, and nothing may listen on the real host.
set -euo pipefail
SAY_PREFIX=ci/install-deps.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v ss >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v nsenter >/dev/null || need+=(util-linux)
command -v setpriv >/dev/null || need+=(util-linux)
command -v redis-server >/dev/null || need+=(redis-server)
command -v python3 >/dev/null || need+=(python3)
command -v dig >/dev/null || need+=(bind9-dnsutils)
command -v strace >/dev/null || need+=(strace)
command -v ping >/dev/null || need+=(iputils-ping)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)

if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}" || die "could not install ${need[*]}"
fi

# The redis service must not run on the host, whoever started it (a package script under a
# policy-rc.d that allows it, or the machine's boot): the tests own their redis, and
# ci/check-leftovers.sh fails the run on any redis-server left running.
if pgrep -x redis-server >/dev/null 2>&1; then
  stop_service redis-server
fi
