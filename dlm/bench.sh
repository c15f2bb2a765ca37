#!/bin/bash
# dlm/bench.sh BENCH_DLM OUTDIR: uncontended lock+unlock on a 3-member
# ZooKeeper ensemble and a 3-member etcd cluster, both on loopback, in a
# temporary directory removed afterwards. For 1, 8 and 32 clients (CLIENTS
# overrides), SECS seconds each (5), REPS interleaved repetitions (3): the
# lk_dlm lock, the bare znode create+delete floor, etcd's lock service and
# the in-process lk_lock. Table in OUTDIR/dlm.txt; the median of the reps
# per cell, and the ratios the goals name (dlm/floor <= 1.2, dlm/etcd <= 1
# on latency; etcd/dlm <= 1 on throughput).
set -u
bin=${1:?bench_dlm}; out=${2:-bench/results}
here=$(cd "$(dirname "$0")" && pwd)
secs=${SECS:-5}; reps=${REPS:-3}; clients=${CLIENTS:-1 8 32}
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
"$here/ensemble.sh" up "$dir/zk" 3 || exit 1
# Every client talks to member 1, for ZooKeeper as for etcd: where a client
# connects (leader or follower) changes a write's cost more than anything
# measured here, so all kinds share one entry point.
export LK_DLM_HOSTS; LK_DLM_HOSTS=$("$here/ensemble.sh" hosts "$dir/zk" | cut -d, -f1)

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
export LK_ETCD="127.0.0.1:${p[0]}"
for _ in $(seq 100); do
	ETCDCTL_API=3 etcdctl --endpoints="http://$LK_ETCD" endpoint health >/dev/null 2>&1 && break
	sleep 0.2
done
ETCDCTL_API=3 etcdctl --endpoints="http://$LK_ETCD" endpoint health >/dev/null 2>&1 ||
	{ echo "bench-dlm: etcd did not come up"; tail "$dir"/etcd*.log; exit 1; }

raw=$dir/raw
for r in $(seq "$reps"); do
	for n in $clients; do
		for k in dlm floor etcd lklock; do
			"$bin" "$k" "$n" "$secs" >>"$raw" || echo "bench-dlm: $k $n failed" >&2
		done
	done
done
{
	echo "# lock+unlock, uncontended (own resource per client); median of $reps reps x ${secs}s;"
	echo "# ZooKeeper 3-member ensemble and etcd 3-member cluster on loopback; $(nproc) CPUs"
	printf '%-7s %4s %12s %10s %10s\n' kind clients ops/s p50_us p99_us
	for n in $clients; do
		for k in dlm floor etcd lklock; do
			awk -v k="$k" -v n="$n" '$1==k && $2==n {print $4, $5, $6}' "$raw" |
				sort -n -k2 | awk -v k="$k" -v n="$n" '{a[NR]=$0} END {
					split(a[int((NR+1)/2)], m, " "); printf "%-7s %4d %12.0f %10.1f %10.1f\n", k, n, m[1], m[2], m[3]}'
		done
	done
} >"$out/dlm.txt.tmp"
# Ratios from the medians.
awk 'NR>3 {t[$1,$2]=$3; p50[$1,$2]=$4; n[$2]=1}
	END {for (c in n) printf "# %s clients: dlm/floor p50 %.2fx (goal <= 1.2), dlm/etcd p50 %.2fx, etcd/dlm ops/s %.2fx (goal: dlm no worse than etcd)\n",
		c, p50["dlm",c]/p50["floor",c], p50["dlm",c]/p50["etcd",c], t["etcd",c]/t["dlm",c]}' \
	"$out/dlm.txt.tmp" | sort -n -k2 >>"$out/dlm.txt.tmp"
mv "$out/dlm.txt.tmp" "$out/dlm.txt"
cp "$raw" "$out/dlm-raw.txt" # every rep: kind clients ops ops/s p50_us p99_us
cat "$out/dlm.txt"
