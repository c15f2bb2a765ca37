#!/bin/bash
# dlm/ensemble.sh: a ZooKeeper ensemble of the Debian server on loopback, for
# the tests and the bench. Everything lives in one directory DIR (configs,
# data, logs, pids); nothing outside it is written.
#   ensemble.sh up DIR [N]     write configs for N members (3) on free
#                              loopback ports, start them, wait until served
#   ensemble.sh hosts DIR      the client connect string
#   ensemble.sh kill DIR I     SIGKILL member I (1-based)
#   ensemble.sh start DIR I    start member I again
#   ensemble.sh restart DIR    kill every member, start them all, wait
#   ensemble.sh wait DIR       until a quorum serves (a leader and followers)
#   ensemble.sh down DIR       kill every member (DIR is left to the caller)
#   ensemble.sh role DIR I     member I's mode: leader, follower or nothing
#   ensemble.sh pid DIR I      member I's process id
# Env: ZK_TICK_MS (100): tickTime; sessions may last 2 ticks to 60 s.
#      ZK_FSYNC (no): forceSync, whether the transaction log is fsynced
#      before a write is acknowledged (ZooKeeper's default is yes; the tests
#      need no durability and start faster without it; the bench sets yes,
#      as etcd always fsyncs its WAL).
#      ZK_JVM: the JVM's flags. Default: a small heap and C1 only, for a
#      quick start; the bench passes the server's usual flags instead.
set -u
verb=${1:?verb}; dir=${2:?dir}
cp_="/usr/share/java/zookeeper.jar"
tick=${ZK_TICK_MS:-100}

freeports() { # N free TCP ports on 127.0.0.1
	python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

member_up() { # I
	local i=$1
	# shellcheck disable=SC2086 # ZK_JVM is a list of flags
	setsid java ${ZK_JVM:--Xms32m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} \
		-Dzookeeper.log.dir="$dir/m$i" -Dzookeeper.root.logger=WARN,CONSOLE \
		-cp "$cp_" org.apache.zookeeper.server.quorum.QuorumPeerMain \
		"$dir/m$i.cfg" >"$dir/m$i/out.log" 2>&1 </dev/null &
	echo $! >"$dir/m$i/pid"
}

member_kill() { # I
	local f=$dir/m$1/pid
	[ -f "$f" ] || return 0
	kill -KILL "$(cat "$f")" 2>/dev/null
	while kill -0 "$(cat "$f")" 2>/dev/null; do sleep 0.05; done
	rm -f "$f"
}

mode_of() { # port -> leader|follower|standalone|""
	local out
	out=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && echo srvr >&3 && cat <&3" 2>/dev/null) || return 0
	sed -n 's/^Mode: //p' <<<"$out"
}

wait_quorum() { # every running member answers, one of them leads
	local deadline=$((SECONDS + ${ZK_WAIT_S:-60})) i lead n m
	while [ $SECONDS -lt $deadline ]; do
		lead=0 n=0
		for i in $(seq 1 "$(cat "$dir/n")"); do
			[ -f "$dir/m$i/pid" ] || continue
			n=$((n + 1))
			m=$(mode_of "$(sed -n 's/^clientPort=//p' "$dir/m$i.cfg")")
			case $m in leader) lead=$((lead + 1)); n=$((n - 1)) ;; follower) n=$((n - 1)) ;; esac
		done
		[ "$lead" -eq 1 ] && [ "$n" -eq 0 ] && return 0
		sleep 0.2
	done
	echo "ensemble.sh: no quorum in $dir after ${ZK_WAIT_S:-60}s" >&2
	tail -5 "$dir"/m*/out.log >&2
	return 1
}

case $verb in
up)
	n=${3:-3}
	mkdir -p "$dir"
	echo "$n" >"$dir/n"
	read -r -a ports <<<"$(freeports $((3 * n)))"
	servers=""
	for i in $(seq 1 "$n"); do
		servers+="server.$i=127.0.0.1:${ports[3*i-2]}:${ports[3*i-1]}"$'\n'
	done
	hosts=""
	for i in $(seq 1 "$n"); do
		mkdir -p "$dir/m$i/data"
		echo "$i" >"$dir/m$i/data/myid"
		cat >"$dir/m$i.cfg" <<CFG
tickTime=$tick
initLimit=50
syncLimit=20
dataDir=$dir/m$i/data
clientPort=${ports[3*i-3]}
clientPortAddress=127.0.0.1
minSessionTimeout=$((2 * tick))
maxSessionTimeout=60000
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,mntr
forceSync=${ZK_FSYNC:-no}
$servers
CFG
		hosts+="${hosts:+,}127.0.0.1:${ports[3*i-3]}"
		member_up "$i"
	done
	echo "$hosts" >"$dir/hosts"
	wait_quorum
	;;
hosts) cat "$dir/hosts" ;;
kill) member_kill "$3" ;;
start) member_up "$3" ;;
restart)
	for i in $(seq 1 "$(cat "$dir/n")"); do member_kill "$i"; done
	for i in $(seq 1 "$(cat "$dir/n")"); do member_up "$i"; done
	wait_quorum
	;;
wait) wait_quorum ;;
role) mode_of "$(sed -n 's/^clientPort=//p' "$dir/m$3.cfg")" ;;
pid) cat "$dir/m$3/pid" ;;
down) for i in $(seq 1 "$(cat "$dir/n" 2>/dev/null || echo 0)"); do member_kill "$i"; done ;;
*) echo "ensemble.sh: unknown verb $verb" >&2; exit 2 ;;
esac
