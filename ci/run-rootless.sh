#!/usr/bin/env bash
# Runs nsunit's tests as an unprivileged user through the rootless launcher, to prove that mode
# on every change. Run as root on a CI machine (it creates a user):
#   ci/run-rootless.sh [maven arguments]     as root; default: verify
# It creates the user nsunit-ci (once), gives it its own copy of this checkout (the CI clone is
# root's) and of root's Maven repository (so nothing is downloaded twice and root's repository
# stays untouched), then runs, as that user: mvn -Prootless verify. No root, no capabilities:
# every test JVM starts inside a user namespace made by ci/nsunit-rootless.
set -euo pipefail
cd "$(dirname "$0")/.."
user=nsunit-ci
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(verify)

if [ "$(id -u)" != 0 ]; then
  echo "ci/run-rootless.sh: run as root: it creates the user $user. As a normal user, run" \
    "mvn -Prootless verify yourself." >&2
  exit 1
fi

id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)
as_user() {
  runuser -u "$user" -- env -i HOME="$home" USER="$user" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} "$@"
}

# Its own checkout: tar streams the files and the user's tar writes them, so the user owns them.
as_user rm -rf "$home/nsunit"
as_user mkdir -p "$home/nsunit" "$home/.m2"
tar -C . --exclude=./.git --exclude='./*/target' --exclude=./target -cf - . \
  | as_user tar -C "$home/nsunit" -xf -

# Its own Maven repository, copied from root's (and root's settings, if any).
repo=${NSUNIT_MAVEN_REPO:-$HOME/.m2/repository}
if [ -d "$repo" ]; then
  as_user rm -rf "$home/.m2/repository"
  as_user mkdir -p "$home/.m2/repository"
  # Exit status 1 means a file changed while read (another build writing the repository): the
  # copy is still usable, and Maven fetches whatever is missing.
  { tar -C "$repo" --exclude='*.tmp' --exclude='*.lock' --ignore-failed-read --warning=no-file-changed \
      --warning=no-file-removed -cf - . || [ $? = 1 ]; } \
    | as_user tar -C "$home/.m2/repository" -xf -
fi
[ -f "$HOME/.m2/settings.xml" ] && as_user tee "$home/.m2/settings.xml" < "$HOME/.m2/settings.xml" >/dev/null

echo "ci/run-rootless.sh: as $user (uid $(id -u "$user")): mvn -B -ntp -Prootless ${args[*]}"
# shellcheck disable=SC2016 # $HOME and $@ are the inner shell's: the user's home, the arguments after it
as_user bash -c 'cd "$HOME/nsunit" && exec mvn -B -ntp -Prootless "$@"' mvn "${args[@]}"

# The CI machine checks (@HostNetwork) need no privileges and must see the machine, not the
# launcher's namespace: the same user runs them without the launcher, as a CI job step would.
# PrivilegesTests there proves a plain non-root JVM is told to use the launcher.
echo "ci/run-rootless.sh: as $user, without the launcher: the CI machine checks and the missing-privileges message"
# shellcheck disable=SC2016 # $HOME is the inner shell's: the user's home, not root's
as_user bash -c 'cd "$HOME/nsunit" && exec mvn -B -ntp test -pl examples -am -Dtest="CiMachineExampleTests,PrivilegesTests" \
  -Dsurefire.failIfNoSpecifiedTests=false -DfailIfNoTests=false'
