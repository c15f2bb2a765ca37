#!/bin/bash
# dlm/bench.sh BENCH_DLM OUTDIR: uncontended lock+unlock on a 3-member
# ZooKeeper ensemble and a 3-member etcd cluster, both on loopback, in a
# temporary directory removed afterwards. For 1, 8 and 32 clients (CLIENTS
# overrides), SECS seconds each (5), REPS interleaved repetitions (5) of the
# lk_dlm lock, the bare znode create+delete floor and etcd's lock service,
# then REPS of the in-process lk_lock. Table in OUTDIR/dlm.txt; the median
# of the reps per cell, and the ratios the goals name (dlm/floor <= 1.2,
# dlm/etcd <= 1 on latency; etcd/dlm <= 1 on throughput).
#
# The two sides are set up alike, so that the comparison is fair:
# - durability: ZooKeeper fsyncs its transaction log before acknowledging
#   (forceSync=yes, its default), as etcd fsyncs its WAL (3.4 cannot not);
#   both data directories are on the same file system (TMPDIR);
# - entry point: every client of either side talks to a member of the same
#   role, a follower (ROLE=leader for the leader): a follower forwards each
#   write to the leader, so where a client connects changes a write's cost
#   more than anything measured here (ROLE=any: member 1 of each, whatever
#   its role);
# - warm servers: the JVM runs as zkServer.sh starts it (1000 MB heap, the
#   JDK's default collector and JIT, C2 included), and before the measured
#   reps every kind runs WARM seconds (10) at 8 clients, unmeasured, so
#   that ZooKeeper is measured after its JIT warm-up (etcd is compiled);
# - clients: one process, one thread per client, each with its own
#   connection (a ZooKeeper handle, or a keep-alive HTTP/1.1 connection to
#   etcd's JSON gateway), set up before the clock starts (for lk_dlm also
#   the resource's znodes and the handle's hint, as the floor makes its
#   parent znode before it).
# OUTDIR/dlm.txt also gives the CPU time per lock+unlock of the servers
# (all three members together) and of the client process, from /proc.
set -u
bin=${1:?bench_dlm}; out=${2:-bench/results}
here=$(cd "$(dirname "$0")" && pwd)
secs=${SECS:-5}; reps=${REPS:-5}; clients=${CLIENTS:-1 8 32}; warm=${WARM:-10}; role=${ROLE:-follower}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lkdlm-bench.XXXXXX") || exit 2
etcd_pids=()
cleanup() {
	"$here/ensemble.sh" down "$dir/zk"
	for p in "${etcd_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$out"
# The previous setup, for comparison: ZK_FSYNC=no ROLE=any WARM=0
# ZK_JVM="-Xms32m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1".
export ZK_FSYNC=${ZK_FSYNC:-yes} ZK_JVM=${ZK_JVM:--Xmx1000m}
"$here/ensemble.sh" up "$dir/zk" 3 || exit 1
zk_pids=() zk_roles=() zk_at=""
for i in 1 2 3; do
	zk_pids+=("$("$here/ensemble.sh" pid "$dir/zk" "$i")")
	zk_roles+=("$("$here/ensemble.sh" role "$dir/zk" "$i")")
	[ -z "$zk_at" ] && { [ "$role" = any ] || [ "${zk_roles[i-1]}" = "$role" ]; } && zk_at=$i
done
[ -n "$zk_at" ] || { echo "bench-dlm: no ZooKeeper $role (${zk_roles[*]})"; exit 1; }
export LK_DLM_HOSTS; LK_DLM_HOSTS=$("$here/ensemble.sh" hosts "$dir/zk" | cut -d, -f"$zk_at")

# etcd: three members on free loopback ports.
read -r -a p <<<"$(python3 -c 'import socket
s=[socket.socket() for _ in range(6)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')"
cluster="e1=http://127.0.0.1:${p[1]},e2=http://127.0.0.1:${p[3]},e3=http://127.0.0.1:${p[5]}"
for i in 1 2 3; do
	cp_=${p[2*i-2]}; pp=${p[2*i-1]}
	etcd --name "e$i" --data-dir "$dir/etcd$i" \
		--listen-client-urls "http://127.0.0.1:$cp_" --advertise-client-urls "http://127.0.0.1:$cp_" \
		--listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
		--initial-cluster "$cluster" --initial-cluster-state new --log-level error \
		>"$dir/etcd$i.log" 2>&1 &
	etcd_pids+=($!)
done
eps="http://127.0.0.1:${p[0]},http://127.0.0.1:${p[2]},http://127.0.0.1:${p[4]}"
for _ in $(seq 100); do
	ETCDCTL_API=3 etcdctl --endpoints="$eps" endpoint health >/dev/null 2>&1 && break
	sleep 0.2
done
# "endpoint, id, version, db size, is leader, ..." per member, in order
mapfile -t st < <(ETCDCTL_API=3 etcdctl --endpoints="$eps" endpoint status 2>/dev/null)
etcd_roles=() etcd_at=""
for i in 1 2 3; do
	case $(cut -d, -f5 <<<"${st[i-1]:-}" | tr -d ' ') in true) r=leader ;; false) r=follower ;; *) r="" ;; esac
	etcd_roles+=("$r")
	[ -z "$etcd_at" ] && { [ "$role" = any ] || [ "$r" = "$role" ]; } && etcd_at=$i
done
[ -n "$etcd_at" ] || { echo "bench-dlm: no etcd $role (${etcd_roles[*]})"; tail "$dir"/etcd*.log; exit 1; }
export LK_ETCD="127.0.0.1:${p[2*etcd_at-2]}"

ticks() { # the CPU ticks (user + system) of the given processes, summed
	local t=0 pid f
	for pid; do
		read -r -a f <"/proc/$pid/stat" 2>/dev/null || continue
		t=$((t + f[13] + f[14])) # the comm field has no spaces (java, etcd)
	done
	echo "$t"
}
hz=$(getconf CLK_TCK)
cell() { # KIND N SECS: one line of bench_dlm, with the servers' CPU per op
	local t0 line pids=()
	case $1 in dlm | floor) pids=("${zk_pids[@]}") ;; etcd) pids=("${etcd_pids[@]}") ;; esac
	t0=$(ticks "${pids[@]}")
	line=$("$bin" "$@") || { echo "bench-dlm: $* failed" >&2; return; }
	awk -v d=$(($(ticks "${pids[@]}") - t0)) -v hz="$hz" '{printf "%s %.1f\n", $0, d * 1e6 / hz / $3}' <<<"$line"
}

[ "$warm" -gt 0 ] && for k in dlm floor etcd; do "$bin" "$k" 8 "$warm" >/dev/null || echo "bench-dlm: warm-up $k failed" >&2; done
raw=$dir/raw
# The servers' kinds interleaved; the in-process lk_lock after them, since
# its cells keep both CPUs busy for their whole length and the cell that
# followed one (lk_dlm's) had a longer tail (dlm/README.md).
for r in $(seq "$reps"); do
	for n in $clients; do
		for k in dlm floor etcd; do
			cell "$k" "$n" "$secs" >>"$raw"
		done
	done
done
for r in $(seq "$reps"); do
	for n in $clients; do
		cell lklock "$n" "$secs" >>"$raw"
	done
done
{
	echo "# lock+unlock, uncontended (own resource per client); median of $reps reps (each column's own) x ${secs}s after ${warm}s warm-up per kind;"
	echo "# ZooKeeper 3-member ensemble (forceSync=$ZK_FSYNC, $ZK_JVM) and etcd 3-member cluster (WAL fsync) on loopback;"
	echo "# clients on a $role of each: ZooKeeper member $zk_at of (${zk_roles[*]}), etcd member $etcd_at of (${etcd_roles[*]}); $(nproc) CPUs"
	echo "# srv_us: CPU us per op of the three members together; cli_us: of the client process"
	printf '%-7s %4s %12s %10s %10s %8s %8s\n' kind clients ops/s p50_us p99_us srv_us cli_us
	for n in $clients; do
		for k in dlm floor etcd lklock; do
			# each column's own median: ops/s p50 p99 srv cli
			awk -v k="$k" -v n="$n" '$1==k && $2==n {print $4, $5, $6, $8, $7}' "$raw" | awk -v k="$k" -v n="$n" '
				{for (c = 1; c <= 5; c++) v[c, NR] = $c}
				function med(c,   a, i, j, t) {
					for (i = 1; i <= NR; i++) a[i] = v[c, i]
					for (i = 2; i <= NR; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) {t = a[j]; a[j] = a[j-1]; a[j-1] = t}
					return a[int((NR + 1) / 2)]
				}
				END {if (NR) printf "%-7s %4d %12.0f %10.1f %10.1f %8.1f %8.1f\n", k, n, med(1), med(2), med(3), med(4), med(5)}'
		done
	done
} >"$out/dlm.txt.tmp"
# Ratios from the medians.
ratios=$(awk '!/^#/ && $1 != "kind" {t[$1,$2]=$3; p50[$1,$2]=$4; n[$2]=1}
	END {for (c in n) printf "# %s clients: dlm/floor p50 %.2fx (goal <= 1.2), dlm/etcd p50 %.2fx, etcd/dlm ops/s %.2fx (goal: dlm no worse than etcd)\n",
		c, p50["dlm",c]/p50["floor",c], p50["dlm",c]/p50["etcd",c], t["etcd",c]/t["dlm",c]}' "$out/dlm.txt.tmp" | sort -n -k2)
echo "$ratios" >>"$out/dlm.txt.tmp"
mv "$out/dlm.txt.tmp" "$out/dlm.txt"
cp "$raw" "$out/dlm-raw.txt" # every rep: kind clients ops ops/s p50_us p99_us cli_us srv_us
cat "$out/dlm.txt"
