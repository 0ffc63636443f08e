#!/usr/bin/env bash
# A real, safe Docker engine for the Testcontainers tests (run as root on Debian/Ubuntu).
#   ci/docker-engine.sh start    install docker.io + busybox-static, start our own dockerd, build
#                                the local image nsunit/busybox-echo:latest; exit 1 with a reason
#                                if no engine can be had (the Docker tests then disable themselves)
#   ci/docker-engine.sh env      print the export lines for the tests (eval "$(... env)")
#   ci/docker-engine.sh status   say whether our engine is running and usable (for humans)
#   ci/docker-engine.sh stop     remove containers, stop dockerd and its containerd, delete
#                                docker0, unmount and remove its roots; idempotent, trap-safe
#
# Why it is safe by construction:
# - dockerd runs with --iptables=false --ip-forward=false --ip-masq=false: no firewall rule, no
#   NAT, and net.ipv4.ip_forward is left as it was (checked before/after: a change is undone and
#   fails the run). Published ports bind 127.0.0.1 only (--ip=127.0.0.1), through docker-proxy.
# - HTTP_PROXY/HTTPS_PROXY point at a closed loopback port, so any image pull fails at once on
#   this machine ("proxyconnect ... connection refused"); images are built locally by
#   `docker import` of a busybox-static rootfs, never pulled.
# - Everything it keeps is private: its own socket, pidfile, --data-root, --exec-root, config
#   file; dockerd starts and supervises its own containerd under the exec root.
# - While it runs, the host gains exactly: the bridge docker0 (172.17.0.1/16, or the next free
#   range) with its connected route and one veth per bridged container, a listener on
#   127.0.0.1:<port> per published port (docker-proxy), and the processes dockerd, containerd,
#   containerd-shim-runc-v2 per container and docker-proxy per port. `stop` removes all of it.
# - The package's own init script must not start a daemon with default flags (NAT,
#   forwarding): installs run under a policy-rc.d that forbids starting services (apt_install
#   in ci/lib/common.sh), and any dockerd/containerd that appears during the install is
#   stopped again.
#
# `docker run` prints "WARNING: IPv4 forwarding is disabled. Networking will not work.":
# expected and wanted; only routed traffic off the bridge is cut, host <-> container over
# docker0 and 127.0.0.1 published ports work.
set -euo pipefail

SOCK=/run/nsunit-docker.sock
PIDFILE=/run/nsunit-docker.pid
EXEC_ROOT=/run/nsunit-docker
DATA_ROOT=/var/lib/nsunit-docker
STATE=/run/nsunit-docker.state      # what start created, so stop removes only that
LOG=/run/nsunit-docker.log
CGROUP=nsunit-docker                # containers' cgroup parent: stop finds and kills them by it
IMAGE=nsunit/busybox-echo:latest
CLOSED_PROXY=http://127.0.0.1:9     # discard port: nothing listens there (checked at start)
DOCKER=/usr/bin/docker              # the package's client, not another docker earlier on PATH
SAY_PREFIX=docker-engine
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"

dk() { [ -x "$DOCKER" ] || DOCKER=docker; "$DOCKER" -H "unix://$SOCK" "$@"; }
is_dockerd() { [ -n "$1" ] && alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = dockerd ]; }
ours_pid() { [ -s "$PIDFILE" ] && is_dockerd "$(cat "$PIDFILE")" && cat "$PIDFILE"; }

install_packages() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
  [ ${#need[@]} -eq 0 ] && return 0
  local dockerd_before containerd_before ok=1
  dockerd_before=$(running dockerd)
  containerd_before=$(running containerd)
  # docker.io pulls in containerd, runc, tini and iptables: the iptables tool only, with
  # --iptables=false dockerd adds no rule.
  apt_install "${need[@]}" || ok=0
  # policy-rc.d should have kept docker's init scripts from starting a daemon with default
  # flags (NAT, forwarding); this is the belt to those braces, also after a failed install.
  stop_new_daemon dockerd docker "$dockerd_before"
  stop_new_daemon containerd containerd "$containerd_before"
  [ "$ok" = 1 ] || die "could not install ${need[*]}"
}

start() {
  [ "$(id -u)" = 0 ] || die "needs root (it starts dockerd)"
  if ours_pid >/dev/null; then
    if dk info >/dev/null 2>&1 && dk image inspect "$IMAGE" >/dev/null 2>&1; then
      say "already running (pid $(cat "$PIDFILE"))"; return 0
    fi
    say "our dockerd runs but is not usable: restarting it"; stop
  elif [ -e "$STATE" ]; then
    say "cleaning up what an earlier run left behind"; stop
  fi
  install_packages
  command -v dockerd >/dev/null || die "dockerd not found after install"

  # Someone else's Docker on this machine: do not share its bridge or its containerd.
  local other
  other=$(running dockerd | head -1)
  [ -z "$other" ] || die "a dockerd not started by this script runs ($(ps -o pid=,args= -p "$other")); stop it first, or let Testcontainers use it"
  ip link show docker0 >/dev/null 2>&1 && die "a docker0 bridge already exists on this host (another Docker's): not touching it"
  [ -S /run/containerd/containerd.sock ] && say "note: a system containerd answers at /run/containerd/containerd.sock; dockerd will use it"
  ss -Htln 'sport = :9' | grep -q . && die "something listens on port 9: the closed proxy port is not closed"

  local fwd4 fwd6 t0
  fwd4=$(sysctl -n net.ipv4.ip_forward)
  fwd6=$(sysctl -n net.ipv6.conf.all.forwarding)
  mkdir -p "$EXEC_ROOT" "$DATA_ROOT"
  {
    echo "ip_forward=$fwd4"
    echo "ipv6_forwarding=$fwd6"
    echo "docker0=created"   # checked absent above: whatever docker0 exists later is ours
    # dockerd always makes /run/docker/plugins (plugin discovery, not under --exec-root).
    [ -e /run/docker ] || echo "run_docker=created"
    # containerd puts its shims' sockets in /run/containerd/s whatever its state dir is.
    [ -e /run/containerd ] || echo "run_containerd=created"
    # umount(8) in stop's crash path makes libmount's /run/mount (empty once done).
    [ -e /run/mount ] || echo "run_mount=created"
  } > "$STATE"
  # Our own config, so a user's /etc/docker/daemon.json is ignored; the libtrust key that
  # dockerd would otherwise write to /etc/docker/key.json goes to our exec root.
  printf '{ "deprecated-key-path": "%s/key.json" }\n' "$EXEC_ROOT" > "$EXEC_ROOT/daemon.json"

  # overlay2 where the kernel has overlay; vfs where it has not, or where the data root cannot
  # carry overlay (e.g. is itself on overlayfs).
  local driver=overlay2
  grep -qw overlay /proc/filesystems || driver=vfs
  [ "$(findmnt -n -o FSTYPE -T "$DATA_ROOT")" = overlay ] && driver=vfs

  t0=$(now)
  # No NO_PROXY: even a registry on loopback or a "local" name must go to the closed proxy.
  env -u NO_PROXY -u no_proxy \
    HTTP_PROXY="$CLOSED_PROXY" HTTPS_PROXY="$CLOSED_PROXY" \
    http_proxy="$CLOSED_PROXY" https_proxy="$CLOSED_PROXY" \
    setsid dockerd \
      --host "unix://$SOCK" \
      --pidfile "$PIDFILE" \
      --data-root "$DATA_ROOT" \
      --exec-root "$EXEC_ROOT" \
      --config-file "$EXEC_ROOT/daemon.json" \
      --storage-driver "$driver" \
      --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --ip=127.0.0.1 \
      --userland-proxy=true \
      --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CGROUP" \
      --shutdown-timeout 5 \
      < /dev/null > "$LOG" 2>&1 &
  local pid=$! i
  echo "dockerd=$pid" >> "$STATE"
  # dockerd answers `docker info` once its containerd is up: its own, which it starts under
  # --exec-root when /run/containerd/containerd.sock is absent. Waits up to 60 s.
  for ((i = 0; i < 600; i++)); do
    dk info >/dev/null 2>&1 && break
    if ! alive "$pid"; then
      tail -n 30 "$LOG" >&2; stop; die "dockerd exited during start (log above)"
    fi
    sleep 0.1
  done
  if ! dk info >/dev/null 2>&1; then
    tail -n 30 "$LOG" >&2; stop; die "dockerd did not answer docker info within 60 s (log above)"
  fi
  say "dockerd $pid answers on $SOCK after $(took "$t0") (storage driver $driver)"

  check_forwarding || { stop; die "dockerd changed IP forwarding (undone, engine stopped)"; }
  build_image || { tail -n 20 "$LOG" >&2; stop; die "could not build $IMAGE"; }
}

# Fails, and puts the value back, if IP forwarding differs from what it was before start.
check_forwarding() {
  [ -s "$STATE" ] || return 0
  local want4 want6 ok=0
  want4=$(sed -n 's/^ip_forward=//p' "$STATE")
  want6=$(sed -n 's/^ipv6_forwarding=//p' "$STATE")
  if [ -n "$want4" ] && [ "$(sysctl -n net.ipv4.ip_forward)" != "$want4" ]; then
    say "net.ipv4.ip_forward changed from $want4 to $(sysctl -n net.ipv4.ip_forward): restoring"
    sysctl -qw net.ipv4.ip_forward="$want4"; ok=1
  fi
  if [ -n "$want6" ] && [ "$(sysctl -n net.ipv6.conf.all.forwarding)" != "$want6" ]; then
    say "net.ipv6.conf.all.forwarding changed from $want6: restoring"
    sysctl -qw net.ipv6.conf.all.forwarding="$want6"; ok=1
  fi
  return $ok
}

# Builds the image without any registry: a rootfs of busybox-static's applets, imported.
# Its default command is an echo server on 6379 (busybox nc: -ll keeps listening after each
# client, -e runs cat per connection), so a test can talk to it like a tiny redis stand-in.
build_image() {
  local t0 root
  t0=$(now)
  root=$(mktemp -d /tmp/nsunit-rootfs.XXXXXX)
  mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev}
  cp /bin/busybox "$root/bin/busybox"
  chroot "$root" /bin/busybox --install -s /bin
  echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
  echo 'root:x:0:' > "$root/etc/group"
  local ok=0
  tar -C "$root" -c . | dk import \
    --change 'CMD ["/bin/nc", "-ll", "-p", "6379", "-e", "/bin/cat"]' \
    --change 'EXPOSE 6379/tcp' \
    --message 'nsunit: busybox-static echo server on 6379, built locally' \
    - "$IMAGE" >/dev/null || ok=1
  rm -rf "$root"
  [ "$ok" = 0 ] && say "built $IMAGE in $(took "$t0")"
  return $ok
}

env_lines() {
  echo "export DOCKER_HOST=unix://$SOCK"
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  echo "export TESTCONTAINERS_HOST_OVERRIDE=localhost"
}

status() {
  local pid
  if pid=$(ours_pid) && dk info >/dev/null 2>&1; then
    echo "running: dockerd $pid on unix://$SOCK, $(dk info --format '{{.ServerVersion}}, storage {{.Driver}}, {{.Containers}} containers')"
    dk image inspect "$IMAGE" >/dev/null 2>&1 && echo "image $IMAGE present" || echo "image $IMAGE missing"
    ip -br addr show docker0 2>/dev/null | sed 's/^/host gains: /' || true
    return 0
  fi
  echo "not running (start it, as root, with: $0 start)"
  return 1
}

stop() {
  local pid="" children=()
  pid=$(ours_pid || true)
  [ -z "$pid" ] && [ -s "$STATE" ] && pid=$(sed -n 's/^dockerd=//p' "$STATE")
  if is_dockerd "$pid"; then
    mapfile -t children < <(pgrep -P "$pid" || true)   # its containerd and docker-proxy listeners
    # Containers first: dockerd alone would wait --shutdown-timeout for each.
    local ids=()
    mapfile -t ids < <(dk ps -aq 2>/dev/null || true)
    if [ ${#ids[@]} -gt 0 ]; then dk rm -f "${ids[@]}" >/dev/null 2>&1 || true; fi
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 30 || { say "dockerd $pid ignored TERM: killing it"; kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
  fi
  # Its containerd, shims and proxies if dockerd died without taking them along.
  local left=()
  mapfile -t left < <(leftovers "${children[@]}")
  for pid in "${left[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${left[@]}"; do wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true; done
  # Containers outlive a dockerd/containerd/shim that died or was killed: their processes keep
  # their netns, and so their veth on the host. Kill what is still in our cgroups, then remove
  # the cgroups (dockerd leaves the parent behind even on a clean stop).
  kill_cgroups
  # Mounts it left (container rootfs, shm, netns bind mounts), deepest first.
  local m
  for m in $(findmnt -rn -o TARGET | grep -E "^($EXEC_ROOT|$DATA_ROOT)(/|$)" | sort -r || true); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "could not unmount $m"
  done
  if [ -s "$STATE" ] && grep -qx 'docker0=created' "$STATE" && ip link show docker0 >/dev/null 2>&1; then
    ip link delete docker0 2>/dev/null || ! ip link show docker0 >/dev/null 2>&1 || say "could not delete docker0"
  fi
  if [ -s "$STATE" ]; then
    check_forwarding || { rm -f "$STATE"; cleanup_files; die "dockerd had changed IP forwarding (restored)"; }
  fi
  if [ -s "$STATE" ] && grep -qx 'run_docker=created' "$STATE"; then
    rmdir /run/docker/plugins /run/docker 2>/dev/null || true
  fi
  # Shim sockets of killed shims stay in /run/containerd/s: the directory was not there before
  # start, so all of it is ours, unless another containerd has started using it since.
  if [ -s "$STATE" ] && grep -qx 'run_containerd=created' "$STATE" && [ -z "$(running containerd)" ]; then
    rm -rf /run/containerd
  fi
  if [ -s "$STATE" ] && grep -qx 'run_mount=created' "$STATE"; then
    rmdir /run/mount 2>/dev/null || true
  fi
  cleanup_files
  rm -f "$STATE"
  # Nothing of ours may survive.
  mapfile -t left < <(leftovers)
  [ ${#left[@]} -eq 0 ] || die "still running: $(IFS=,; ps -o pid=,args= -p "${left[*]}")"
  return 0
}

kill_cgroups() {
  local dirs=() d i pids=() killed=()
  for d in /sys/fs/cgroup/*/"$CGROUP" /sys/fs/cgroup/"$CGROUP"; do
    if [ -d "$d" ]; then dirs+=("$d"); fi
  done
  [ ${#dirs[@]} -gt 0 ] || return 0
  for ((i = 0; i < 50; i++)); do
    mapfile -t pids < <(find "${dirs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
    [ ${#pids[@]} -gt 0 ] || break
    [ "$i" = 0 ] && say "killing container processes left behind: ${pids[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    killed+=("${pids[@]}")
    sleep 0.1
  done
  [ ${#pids[@]} -eq 0 ] || say "container processes survive: ${pids[*]}"
  # A killed process leaves cgroup.procs before it is gone (and its netns with it).
  for i in "${killed[@]}"; do wait_gone "$i" 10 || say "container process $i survives"; done
  for d in "${dirs[@]}"; do
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# Pids of the engine's helper processes still alive: the given children of our dockerd, and
# containerd and its shims (found by our private exec root in their command line). Only these
# process names are considered, so no shell that merely mentions the path is ever signalled.
leftovers() {
  local pid comm
  for pid in "$@" $(pgrep -f -- "$EXEC_ROOT/" || true); do
    alive "$pid" || continue
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    case "$comm" in
      dockerd|containerd|containerd-shim*|docker-proxy|runc) echo "$pid" ;;
    esac
  done
}

cleanup_files() {
  rm -rf "$DATA_ROOT" "$EXEC_ROOT"
  rm -f "$SOCK" "$PIDFILE" "$LOG"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
