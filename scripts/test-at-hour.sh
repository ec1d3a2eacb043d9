#!/usr/bin/env bash
# Runs mocha with every process's wall clock shifted to a chosen instant, for failures that depend on the hour CI
# happens to run at (CI once ran at 23:22 New York time and every wall-clock paper session wrapped midnight).
#   scripts/test-at-hour.sh '2026-12-05 23:21 America/New_York' [mocha spec globs...]
# The clock moves at its normal pace from that instant. One offset (not a fixed start) is used for every process, so
# the fake TWS in the test process and `harvester run` in its children agree; a fixed start would give each process
# its own clock and trip the clock-skew trigger. Monotonic clocks are left alone, so timers keep their real pace.
# libfaketime comes from Debian (`apt-get install faketime`); the PostgreSQL specs run when HARVESTER_TEST_PG_URL is
# set (scripts/pg-test-server.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 'YYYY-MM-DD HH:MM Zone' [spec globs...]" >&2; exit 2; }
command -v faketime >/dev/null || { echo "test-at-hour: faketime is not installed (apt-get install faketime)" >&2; exit 1; }
at="$1"; shift
target="$(node -e "const {DateTime}=require('luxon');const [d,t,z]=process.argv[1].split(' ');const x=DateTime.fromISO(d+'T'+t,{zone:z});if(!x.isValid){console.error('test-at-hour: not an instant: '+process.argv[1]);process.exit(2)}process.stdout.write(String(Math.floor(x.toSeconds())))" "$at")"
offset=$(( $(date +%s) - target ))
sign='-'; [ "$offset" -lt 0 ] && { sign='+'; offset=$(( -offset )); }
[ $# -gt 0 ] || set -- 'test/{unit,property,conformance,integration,data}/**/*.spec.ts'
echo "test-at-hour: clocks at $at (offset ${sign}${offset}s)" >&2
FAKETIME_DONT_FAKE_MONOTONIC=1 exec faketime -f "${sign}${offset}s" npx mocha "$@"
