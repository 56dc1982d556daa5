#!/usr/bin/env bash
# Compares two taskwire builds side by side: runs taskwire-bench against binary A, then B, then A, then B
# again (interleaved, so drift of a noisy machine hits both alike), with the same benchmark client.
#
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY [taskwire-bench options...]
#
# Example: the release build of the previous commit against this one, on the transport, writes and reads
# suites with 100,000 tasks:
#
#   git worktree add ../taskwire-previous HEAD~1 && (cd ../taskwire-previous && swift build -c release)
#   swift build -c release
#   scripts/bench-ab.sh ../taskwire-previous/.build/release/taskwire .build/release/taskwire --tasks 100000
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    sed -n 2,13p "$0" >&2
    exit 64
fi
old=$1
new=$2
shift 2
bench=.build/release/taskwire-bench
[ -x "$bench" ] || swift build -c release --product taskwire-bench >&2
for round in 1 2; do
    for side in A B; do
        if [ "$side" = A ]; then binary=$old; else binary=$new; fi
        echo "# round $round, build $side: $binary"
        "$bench" --server "$binary" "$@"
        echo
    done
done
