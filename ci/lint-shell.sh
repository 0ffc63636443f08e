#!/usr/bin/env bash
# Runs shellcheck over every shell script of ci/, .ci/ and rootless/src/main/sh/ (the published
# rootless launcher) and fails on any finding, of any severity: these scripts run as root and
# change the host (packages, a daemon, policy-rc.d), so a quoting slip is not a style matter.
#   ci/lint-shell.sh     installs shellcheck with apt if it is missing (that needs root)
# A script is a file ending in .sh or starting with a #! line naming sh or bash; symlinks are
# skipped (ci/nsunit-rootless and ci/rootless-jdk/bin/java are the launcher). -x follows
# `source`, so the library is checked together with each script that uses it. --norc: the
# project's settings, not a developer's ~/.shellcheckrc.
set -euo pipefail
cd "$(dirname "$0")/.."
SAY_PREFIX=ci/lint-shell.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source ci/lib/common.sh

if ! command -v shellcheck >/dev/null; then
  [ "$(id -u)" = 0 ] || die "shellcheck not found: install it (apt-get install shellcheck), or run this as root"
  apt_install shellcheck || die "could not install shellcheck"
fi

scripts=()
while IFS= read -r -d '' f; do
  case "$f" in
    *.sh) scripts+=("$f") ;;
    *) if head -n 1 "$f" | grep -Eq '^#!.*[/ ](ba)?sh( |$)'; then scripts+=("$f"); fi ;;
  esac
done < <(find ci .ci rootless/src/main/sh -type f -print0 | sort -z)

say "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${scripts[*]}"
shellcheck --norc -x "${scripts[@]}"
say "no findings"
