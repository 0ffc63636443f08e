# shellcheck shell=bash
# Shared by the ci/ scripts (sourced, never run): messages, process checks, and installing
# Debian packages without letting their maintainer scripts start services on the real host.
# A script sets SAY_PREFIX (default: its file name) before its first message.

say() { echo "${SAY_PREFIX:-${0##*/}}: $*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# A process that exists and is not a zombie (an orphan waits for init to reap it).
alive() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "${st%% *}" != Z ]; }

# Live (not zombie) pids of processes with this exact name.
running() { local p; for p in $(pgrep -x "$1" || true); do alive "$p" && echo "$p"; done; return 0; }

wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

# apt_install PACKAGE...: apt-get update and install, while package scripts may not start
# services: an init script would start its daemon with the distribution's defaults on the
# real host (dockerd with NAT and forwarding, redis-server listening on every address).
# Fails, with apt's last lines, if the install fails.
apt_install() {
  local t0 ok=1
  t0=$(now)
  _apt_begin
  say "installing $*"
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  } > "$_apt_log" 2>&1 || ok=0
  [ "$ok" = 1 ] || tail -n 20 "$_apt_log" >&2
  _apt_end
  [ "$ok" = 1 ] || return 1
  say "installed $* in $(took "$t0")"
}

# invoke-rc.d asks /usr/sbin/policy-rc.d before it starts a service; exit status 101 means
# "forbidden". An existing policy-rc.d is someone else's (a container image's, an admin's): it
# is never replaced or removed, whatever it answers; stop_new_daemon covers the case where it
# allows starts. Ours, and apt's log, exist only while apt runs and are removed on every way
# out, an error or a signal included; the caller's EXIT, HUP, INT and TERM traps are put back
# afterwards.
POLICY_RC_D=/usr/sbin/policy-rc.d
_policy_ours=0
_apt_log=""
_apt_caller_traps=""

_apt_begin() {
  _apt_caller_traps=$(trap -p EXIT HUP INT TERM)
  trap _apt_cleanup EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  _apt_log=$(mktemp /tmp/nsunit-apt.XXXXXX)
  [ -e "$POLICY_RC_D" ] && return 0
  # noclobber: created only if still absent, so a policy-rc.d that appeared meanwhile is kept.
  if (set -C; printf '#!/bin/sh\nexit 101\n' > "$POLICY_RC_D") 2>/dev/null; then
    _policy_ours=1
    chmod 755 "$POLICY_RC_D"
  fi
}

_apt_end() {
  _apt_cleanup
  trap - EXIT HUP INT TERM
  eval "$_apt_caller_traps"
}

_apt_cleanup() {
  if [ "$_policy_ours" = 1 ]; then rm -f "$POLICY_RC_D"; fi
  _policy_ours=0
  if [ -n "$_apt_log" ]; then rm -f "$_apt_log"; fi
  _apt_log=""
}

# stop_service NAME: stops the distribution's service NAME through its init script, if any.
stop_service() {
  if [ -x "/etc/init.d/$1" ]; then "/etc/init.d/$1" stop >/dev/null 2>&1 || true; fi
}

# stop_new_daemon NAME SERVICE PIDS-BEFORE: stops every process NAME not among PIDS-BEFORE
# (taken before a package install), through the service's init script, then by signal. A
# package install that started it despite policy-rc.d started it with the distribution's
# defaults; daemons that ran before the install are someone else's and are left alone.
stop_new_daemon() {
  local name=$1 service=$2 before=$3 pid
  for pid in $(running "$name"); do
    grep -qw "$pid" <<< "$before" && continue
    say "the package started $name ($pid) with default flags: stopping it"
    stop_service "$service"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true
  done
}
