#!/usr/bin/env bash
# slurm-stop.sh - cancel all Slurm jobs and stop slurmd, slurmctld and munged
# started by tests/tools/slurm-start.sh. Safe to run when nothing is running.
# Exit 0 when everything is stopped, 1 if a daemon would not die, 2 if not root.
set -u
PROG=slurm-stop

if [ "$(id -u)" -ne 0 ]; then
    echo "$PROG: must run as root" >&2
    exit 2
fi

pid_alive() {
    local pid
    [ -r "$1" ] || return 1
    pid=$(tr -dc '0-9' < "$1")
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

rc=0
stop_daemon() { # stop_daemon PIDFILE NAME
    local pid i
    pid_alive "$1" "$2" || { rm -f "$1"; return 0; }
    pid=$(tr -dc '0-9' < "$1")
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do
        [ -d "/proc/$pid" ] || break
        sleep 0.2
    done
    if [ -d "/proc/$pid" ]; then
        kill -KILL "$pid" 2>/dev/null; sleep 0.5
    fi
    if [ -d "/proc/$pid" ]; then
        echo "$PROG: FAILED: $2 (pid $pid) did not exit" >&2; rc=1
    else
        rm -f "$1"
    fi
}

# 1. cancel all jobs (slurmd stopping does not kill running jobs)
if pid_alive /run/slurmctld.pid slurmctld && command -v squeue >/dev/null; then
    jobs=$(timeout 10 squeue -h -o '%A' 2>/dev/null | tr '\n' ' ')
    if [ -n "${jobs// /}" ]; then
        # shellcheck disable=SC2086
        timeout 10 scancel $jobs 2>/dev/null
        # wait (KillWait=5 s) until no job is running/completing any more
        for i in $(seq 1 30); do
            [ -z "$(timeout 5 squeue -h -t RUNNING,COMPLETING,CONFIGURING,SUSPENDED -o '%A' 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
fi

# 2. daemons
stop_daemon /run/slurmd.pid slurmd
stop_daemon /run/slurmctld.pid slurmctld

# 3. leftover job step daemons (only if slurmd is gone, e.g. jobs that could not
#    be cancelled because slurmctld was already down)
for p in $(pgrep -x slurmstepd 2>/dev/null); do
    kill -KILL "$p" 2>/dev/null
done

stop_daemon /run/munge/munged.pid munged

[ "$rc" = 0 ] && echo "$PROG: stopped"
exit "$rc"
