#!/bin/sh
# Installs the Debian packages latchkit needs; quiet and quick when all are there.
set -e
PKGS="build-essential clang libclang-rt-14-dev libck-dev liburcu-dev libcriterion-dev spin libdb5.3-dev gnuplot-nox valgrind pkg-config abigail-tools mandoc groff-base cmake python3 kyotocabinet-utils rocksdb-tools libjemalloc2 zookeeper libzookeeper-mt-dev etcd-server etcd-client"
# GenMC (make verify-wmm) is built by hand; its build packages are listed
# in verify/README.md, not installed here.
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
