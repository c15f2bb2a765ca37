#!/bin/bash
# dlm/test.sh TEST_DLM short|long [EXAMPLE]: starts a 3-member ZooKeeper ensemble (the
# Debian server) on free loopback ports in a fresh temporary directory,
# runs dlm/test_dlm against it and removes everything afterwards, on
# failure and on interrupt too.
#   short (make test-dlm): functional tests, a 40-round history check, the
#     fault tests with one member killed, then EXAMPLE (the man page's,
#     man/examples/dlm.c) when given
#   long (make test-dlm-long): every member killed in turn, and a 600-round
#     history check during which a client stalls past its lease
set -u
bin=${1:?test_dlm binary}; mode=${2:-short}; example=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/lkdlm-zk.XXXXXX") || exit 2
cleanup() { "$here/ensemble.sh" down "$dir/zk"; rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v java >/dev/null || { echo "dlm/test.sh: java not found (make deps)"; exit 1; }
[ -f /usr/share/java/zookeeper.jar ] || { echo "dlm/test.sh: zookeeper not installed (make deps)"; exit 1; }
t0=$SECONDS
"$here/ensemble.sh" up "$dir/zk" 3 || exit 1
echo "ensemble up in $((SECONDS - t0)) s: $("$here/ensemble.sh" hosts "$dir/zk")"
export LK_DLM_HOSTS LK_DLM_CTL="$here/ensemble.sh" LK_DLM_DIR="$dir/zk" TMPDIR="$dir"
LK_DLM_HOSTS=$("$here/ensemble.sh" hosts "$dir/zk")
rc=0
run() { echo "== test_dlm $*"; "$bin" "$@" || rc=1; }
if [ "$mode" = long ]; then
	run functional
	run faults 3
	run history 600
else
	run functional
	run faults 1
	if [ -n "$example" ]; then
		echo "== ${example##*/} (the man page's example)"
		"$example" || rc=1
	fi
fi
echo "dlm/test.sh $mode: $([ $rc -eq 0 ] && echo all passed || echo FAILED) in $((SECONDS - t0)) s"
exit $rc
