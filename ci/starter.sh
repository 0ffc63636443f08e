#!/usr/bin/env bash
# Builds examples/starter/, a user's project outside the reactor (the README's "Using it" POM),
# the way a new user would: with the machine's Maven and an empty local repository that holds
# nothing but nsunit's own artifacts, so that everything else (plugins, JUnit, AssertJ, jnr-ffi)
# must resolve from Maven Central through the starter's POM alone. Run as root:
#   ci/starter.sh [all|root|rootless]     default: all (root, then rootless)
#     root       mvn test as root
#     rootless   as the unprivileged user nsunit-ci (the one ci/run-rootless.sh uses), with its
#                own copies of the starter and of the repository: mvn -Prootless test, through
#                the launcher unpacked from dev.nsunit:nsunit-rootless; then plain mvn test,
#                which must fail with the message that names the POM's rootless block
# Each run must have run every @Test the starter declares (Surefire 2.x ran none and still
# reported BUILD SUCCESS), none skipped. Everything it made is removed on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
SAY_PREFIX=ci/starter.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source ci/lib/common.sh

what=${1:-all}
case "$what" in
  all|root|rootless) ;;
  *) echo "usage: $0 [all|root|rootless]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || die "run as root: the root run needs it, and the rootless run creates the user nsunit-ci"
command -v python3 >/dev/null || die "python3 not found (ci/install-deps.sh installs it): it reads Surefire's reports"

starter=examples/starter
user=nsunit-ci
home=""
work=$(mktemp -d /tmp/nsunit-starter.XXXXXX)
cleanup() {
  rm -rf "$work"
  if [ -n "$home" ]; then as_user rm -rf "$home/nsunit-starter" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_user() {
  runuser -u "$user" -- env -i HOME="$home" USER="$user" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} "$@"
}

# The @Test methods the starter declares: what every run must have run.
expected=$(grep -rEc '^[[:space:]]*@Test\b' "$starter/src/test/java" | awk -F: '{ n += $2 } END { print n + 0 }')
[ "$expected" -gt 0 ] || die "$starter declares no @Test"

# check_reports DIR: fails unless Surefire's reports in DIR count exactly $expected tests, all
# run, none skipped, failed or in error.
check_reports() {
  python3 - "$1" "$expected" <<'EOF'
import glob, sys
import xml.etree.ElementTree as ET
folder, expected = sys.argv[1], int(sys.argv[2])
totals = dict(tests=0, skipped=0, failures=0, errors=0)
files = sorted(glob.glob(folder + "/TEST-*.xml"))
for f in files:
    suite = ET.parse(f).getroot()
    for k in totals:
        totals[k] += int(suite.get(k, "0"))
print(f"ci/starter.sh: {len(files)} report(s) in {folder}: tests={totals['tests']} skipped={totals['skipped']}"
      f" failures={totals['failures']} errors={totals['errors']}; declared: {expected}", file=sys.stderr)
ok = totals["tests"] == expected > 0 and totals["skipped"] == totals["failures"] == totals["errors"] == 0
sys.exit(0 if ok else 1)
EOF
}

# no_test_jvm_left DIR: no forked test JVM of DIR may outlive its build.
no_test_jvm_left() {
  if pgrep -f "$1/.*surefirebooter" >/dev/null; then
    die "a test JVM of $1 is still running: $(pgrep -a -f "$1/.*surefirebooter")"
  fi
}

# 1. nsunit's artifacts, built and installed with an empty repository of their own; the seed
#    is dev/nsunit from it and nothing else.
t0=$(now)
say "installing nsunit (bom, parent, extension, assertions, rootless) into an empty repository"
mvn -B -ntp -q -Dmaven.repo.local="$work/build-repo" install -DskipTests -pl bom,extension,assertions,rootless -am
mkdir -p "$work/seed/dev"
cp -a "$work/build-repo/dev/nsunit" "$work/seed/dev/"
rm -rf "$work/build-repo"
say "seed repository: $(cd "$work/seed" && find . -name '*.pom' -o -name '*.jar' -o -name '*.zip' | sort | tr '\n' ' ')($(took "$t0"))"

if [ "$what" != rootless ]; then
  t0=$(now)
  say "as root: mvn test in a copy of $starter, repository = the seed alone"
  cp -a "$work/seed" "$work/root-repo"
  cp -a "$starter" "$work/root-starter"
  rm -rf "$work/root-starter/target"
  (cd "$work/root-starter" && mvn -B -ntp -Dmaven.repo.local="$work/root-repo" test)
  check_reports "$work/root-starter/target/surefire-reports" || die "as root: not every declared test ran"
  no_test_jvm_left "$work/root-starter"
  say "as root: green ($(took "$t0"))"
fi

if [ "$what" != root ]; then
  t0=$(now)
  id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
  home=$(getent passwd "$user" | cut -d: -f6)
  dir=$home/nsunit-starter
  say "as $user (uid $(id -u "$user")): mvn -Prootless test in its own copy of $starter and of the seed"
  as_user rm -rf "$dir"
  as_user mkdir -p "$dir/project" "$dir/repo"
  tar -C "$starter" --exclude=./target -cf - . | as_user tar -C "$dir/project" -xf -
  tar -C "$work/seed" -cf - . | as_user tar -C "$dir/repo" -xf -
  # shellcheck disable=SC2016 # $HOME is the inner shell's: the user's home
  as_user bash -c 'cd "$HOME/nsunit-starter/project" && exec mvn -B -ntp -Dmaven.repo.local="$HOME/nsunit-starter/repo" -Prootless test'
  check_reports "$dir/project/target/surefire-reports" || die "rootless: not every declared test ran"
  no_test_jvm_left "$dir/project"
  say "rootless: green ($(took "$t0"))"

  # Without the block, a test that needs a namespace must fail and say what to add.
  say "as $user, without -Prootless: OfflineTests must fail with the message naming the rootless block"
  as_user rm -rf "$dir/project/target/surefire-reports"
  # shellcheck disable=SC2016 # $HOME is the inner shell's: the user's home
  if as_user bash -c 'cd "$HOME/nsunit-starter/project" && exec mvn -B -ntp -q -Dmaven.repo.local="$HOME/nsunit-starter/repo" test -Dtest=OfflineTests' >/dev/null 2>&1; then
    die "without the launcher, OfflineTests passed as $user: the missing-privileges check did not fire"
  fi
  report=$dir/project/target/surefire-reports/TEST-org.example.OfflineTests.xml
  if ! grep -q 'add the rootless block' "$report" || ! grep -q 'nsunit-rootless/bin/java' "$report"; then
    die "the failure in $report does not name the rootless block: $(grep -m1 -o 'message="[^"]*"' "$report" || echo 'no message')"
  fi
  say "without the launcher: $(grep -m1 -o 'message="[^"]*"' "$report" \
    | sed "s/&apos;/'/g; s/&quot;/\"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g")"
  no_test_jvm_left "$dir/project"
fi
say "done: $expected of $expected declared tests ran in each run"
