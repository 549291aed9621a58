#!/usr/bin/env bash
# Redis CPU per call of the two hot mailbox scripts, measured on a redis-server of its own.
#
#   bench/redis/lua_bench.sh [--append FILE[,FILE...]] [--receipt FILE[,FILE...]] [--only append|receipt]
#       [-n CALLS] [--repeats R] [--empty] [--callgrind]
#
# Starts redis-server (AOF on, fsync everysec, no RDB: as in production) on a random free port in a temporary
# directory. Per repeat and script file: FLUSHALL; the state the server keeps for a recipient 'bob' and a sender
# 'alice' (account, devices, regids and routes hashes; one device each, both online); SCRIPT LOAD; CONFIG
# RESETSTAT; CALLS calls; then INFO commandstats and INFO cpu. The append is a one-envelope message of 64 payload
# bytes with its own message id (so its own dedup key, 48 h window as in production) from __rand_int__; the
# receipt is a 'delivered' receipt for two message ids. The mailbox cap is set above CALLS, so nothing is refused.
#
# Default: CALLS (200,000) EVALSHA from redis-benchmark (-c 20 -P 16); the mailbox grows through the run, so
# every call finds an entry before its own. --empty: the mailbox is emptied (XTRIM MAXLEN 0) before every call,
# as when a connected device acks at once; CALLS defaults to 50,000, and the calls and the trims, written to a
# file beforehand, go down one pipelined connection (redis-cli --pipe), so Redis CPU per call includes the trim
# (evalsha's usec_per_call does not).
#
# Prints per run: evalsha usec_per_call, Redis CPU (used_cpu_user + used_cpu_sys) per call, then per command
# the scripts ran: its microseconds per script call (calls per script call); then the median of the repeats.
# Several files per script are compared A/B: each repeat runs them one after another, so drift from other work
# on the box spreads over all of them.
#
# --callgrind: redis-server runs under valgrind's callgrind, CALLS defaults to 5,000 and repeats to 1; prints
# the instructions Redis executed per call (user space only, everything between CONFIG RESETSTAT and the last
# reply). Slow, but the same within about 0.5% from run to run: what a Lua change saves shows here even when other
# work on a shared box hides it in the CPU figures.
#
# On a shared box wrap a run in `flock /tmp/bench.lock`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lua=$here/../../src/main/resources/lua
append_lua=$lua/mailbox_append.lua
receipt_lua=$lua/mailbox_receipt.lua
calls=
repeats=
only=
empty=
callgrind=
while [ $# -gt 0 ]; do
  case $1 in
    --append) append_lua=$2; shift 2 ;;
    --receipt) receipt_lua=$2; shift 2 ;;
    -n) calls=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --empty) empty=1; shift ;;
    --callgrind) callgrind=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -n "$callgrind" ]; then
  calls=${calls:-5000}
  repeats=${repeats:-1}
else
  [ -n "$empty" ] && calls=${calls:-50000}
  calls=${calls:-200000}
  repeats=${repeats:-3}
fi

dir=$(mktemp -d /tmp/lua-bench.XXXXXX)
port=
for _ in 1 2 3 4 5; do
  candidate=$((20000 + RANDOM % 40000))
  if ! redis-cli -p "$candidate" ping >/dev/null 2>&1; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "no free port" >&2; exit 1; }
server=(redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes
    --appendfsync everysec --logfile "$dir/redis.log")
if [ -n "$callgrind" ]; then
  valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.%p" "${server[@]}" >"$dir/valgrind.log" 2>&1 &
else
  "${server[@]}" &
fi
server_pid=$!
cleanup() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 300); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
cli() { redis-cli -p "$port" "$@"; }

state() {
  local who
  for who in alice bob; do
    cli hset "account:{u:$who}" password '$2a$10$abcdefghijklmnopqrstuuJ3v0Wn3p0bF7hQ2Hc1m7v7JvZyq0Q9hW' \
        created 1764300000000 >/dev/null
    cli hset "devices:{u:$who}" 1 '{"name":"phone","created":1764300000000}' >/dev/null
    cli hset "regids:{u:$who}" 1 4711 >/dev/null
    cli hset "routes:{u:$who}" 1 '7f3c2a1b-6d7e-4a8b-9c0d-1e2f3a4b5c6d 17' >/dev/null
  done
}

load() { cli script load "$(cat "$1")"; }
# 64 payload bytes as the server stores them: base64, 88 characters
ciphertext=$(head -c 64 /dev/zero | tr '\0' 'x' | base64 -w0)
dedup_seconds=$((48 * 3600))
retention_ms=$((30 * 24 * 3600 * 1000))
max_length=$((calls + 1000))

# The arguments of one call; ID is the message id ('__rand_int__' for redis-benchmark).
append_args() {
  echo EVALSHA "$1" 6 'account:{u:bob}' 'devices:{u:bob}' 'regids:{u:bob}' "dedup:{u:bob}:alice:m-$2" \
      'routes:{u:bob}' 'mbox:{u:bob}:1' append "$dedup_seconds" "$retention_ms" "$max_length" alice 1 "m-$2" \
      "''" 0 1 4711 "$ciphertext"
}
receipt_args() {
  echo EVALSHA "$1" 2 'devices:{u:alice}' 'routes:{u:alice}' 'mbox:{u:alice}:' "$retention_ms" delivered bob 1 \
      "'m-0-1234 m-0-1235'"
}
mailbox_of() { if [ "$1" = append ]; then echo 'mbox:{u:bob}:1'; else echo 'mbox:{u:alice}:1'; fi; }

# --empty: writes the RESP of all calls, each followed by an XTRIM of its mailbox to nothing (message ids
# numbered), to $dir/calls.resp before the measurement starts, so making it costs the box nothing while measured.
prepare() {
  local script=$1 sha=$2 args
  [ -n "$empty" ] || return 0
  eval "args=($("${script}_args" "$sha" '#'))"
  awk -v n="$calls" -v trim="$(mailbox_of "$script")" -v spec="$(printf '%s\037' "${args[@]}")" '
    function bulk(s) { return "$" length(s) "\r\n" s "\r\n" }
    BEGIN {
      count = split(spec, parts, "\037") - 1
      xtrim = "*4\r\n" bulk("XTRIM") bulk(trim) bulk("MAXLEN") bulk("0")
      for (i = 1; i <= n; i++) {
        out = "*" count "\r\n"
        for (j = 1; j <= count; j++) { a = parts[j]; gsub("#", i, a); out = out bulk(a) }
        printf "%s%s", out, xtrim
      }
    }' > "$dir/calls.resp"
}

run() {
  local script=$1 sha=$2 args
  if [ -z "$empty" ]; then
    eval "args=($("${script}_args" "$sha" __rand_int__))"
    redis-benchmark -p "$port" -n "$calls" -c 20 -P 16 -r 2000000000 -q "${args[@]}" >/dev/null
  else
    cli --pipe < "$dir/calls.resp" >/dev/null
  fi
}

cpu() {
  cli info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.6f", s }'
}

# one line: <evalsha usec_per_call> <cpu us per call> <cmd>=<us per script call>(x<calls per script call>) ...
# (--callgrind: <instructions per call> and the commands)
measure() {
  local script=$1 file=$2 sha before after dump
  cli flushall >/dev/null
  state
  sha=$(load "$file")
  prepare "$script" "$sha"
  cli config resetstat >/dev/null
  if [ -n "$callgrind" ]; then
    callgrind_control -z "$server_pid" >/dev/null 2>&1
  fi
  before=$(cpu)
  run "$script" "$sha"
  after=$(cpu)
  if [ -n "$callgrind" ]; then
    callgrind_control -d "$server_pid" >/dev/null 2>&1
    dump=$(ls -t "$dir"/callgrind.* | head -1)
    before=0
    after=$(awk '/^(summary|totals):/ { print $2 / 1e6; exit }' "$dump")
  fi
  cli info commandstats | tr -d '\r' | awk -F'[:,=]' -v cpu="$before $after" -v n="$calls" -v cg="$callgrind" '
    /^cmdstat_/ {
      name = substr($1, 9); calls[name] = $3; usec[name] = $5; per[name] = $7
    }
    END {
      split(cpu, c, " ")
      if (cg) printf "%.0f", (c[2] - c[1]) * 1e6 / calls["evalsha"]
      else printf "%.2f %.2f", per["evalsha"], (c[2] - c[1]) * 1e6 / calls["evalsha"]
      for (name in usec) if (name != "evalsha" && calls[name] >= calls["evalsha"] / 100)
        printf " %s=%.2f(x%.2f)", name, usec[name] / calls["evalsha"], calls[name] / calls["evalsha"]
      printf "\n"
    }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

scripts="append receipt"
[ -n "$only" ] && scripts=$only
mode="redis-benchmark -c 20 -P 16, the mailbox growing"
[ -n "$empty" ] && mode="redis-cli --pipe, the mailbox emptied before every call"
echo "redis $(redis-server --version | awk '{print $3}'), $calls calls per run, $mode"
if [ -n "$callgrind" ]; then
  echo "per run (under callgrind): instructions per call, then per command: us per script call (calls per script call)"
else
  echo "per run: evalsha usec_per_call, Redis CPU us per call, then per command: us per script call (calls per script call)"
fi
for script in $scripts; do
  if [ "$script" = append ]; then files=$append_lua; else files=$receipt_lua; fi
  IFS=, read -r -a variants <<< "$files"
  declare -A results=()
  for r in $(seq "$repeats"); do
    for v in "${!variants[@]}"; do
      line=$(measure "$script" "${variants[$v]}")
      results[$v]+="$line"$'\n'
      echo "$script ${variants[$v]##*/} run $r: $line"
    done
  done
  for v in "${!variants[@]}"; do
    first=$(printf '%s' "${results[$v]}" | awk '{print $1}' | median)
    if [ -n "$callgrind" ]; then
      echo "$script ${variants[$v]##*/} median: ${first} instructions/call"
    else
      second=$(printf '%s' "${results[$v]}" | awk '{print $2}' | median)
      echo "$script ${variants[$v]##*/} median: evalsha ${first} us/call, Redis CPU ${second} us/call"
    fi
  done
  unset results
done
