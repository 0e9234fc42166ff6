#!/usr/bin/env bash
# Load benchmark of the chat, side by side: a plain SignalR hub (bench/PlainSignalR), OrleansChat embedded (one
# process, history persisted to files), and the original Flask-SocketIO chat (bench/seed). Builds in Release, starts
# each server on a free 127.0.0.1 port (a fresh one per scenario), runs the load tool against it, stops it, and
# prints a Markdown table. Everything it starts is stopped on exit, Ctrl-C or TERM.
#
# The scenarios are issue 11's, all in the one room `geral` where every member hears every join and message:
# room2000 and room500 (10 senders × 10 msg/s), burst (100 clients, 10 senders), storm (2,000 clients register 50 at a
# time; every client's memberCount must end at the number registered), idle (--idle 10000 for the issue's figure),
# room100 (the embedded reference for --cluster's cross-front room100). OrleansChat's relay history fills (messages
# a front took from history because its stream had not delivered them) are read from /admin/metrics around each run.
#
#   bench/run.sh              the full run (about 15 minutes on 2 cores)
#   bench/run.sh --smoke      a few seconds, tiny N, OrleansChat and the plain hub only; exits non-zero if anything
#                             was lost, duplicated or out of order, nothing was delivered, or a client's member
#                             count ended wrong (CI)
#   options: --servers "plain orleans seed"   only these servers (also: orleans-nofsync, history without fsync)
#            --scenarios "room100 room500 room2000 burst storm idle"   only these of the standard scenarios
#            --storm N        clients of the storm (default 2000, the issue's)
#            --idle N         clients of the idle scenario (default 2000; the issue's target is 10000)
#            --rooms          add the many-rooms scenario (1,000 rooms × 10 clients, OrleansChat only)
#            --cluster        add the cross-front runs (room100, burst; room500 if asked) on deploy/local-cluster.sh
#                             (2 silos + 2 fronts on Redis)
#            --redis-fsync always|everysec   the cluster's Redis appendfsync (default always, as shipped)
#            --perf           sample the OrleansChat server with perf (JIT symbols through DOTNET_PerfMapEnabled)
#                             during each of its runs; reports in .artifacts/load/perf-*.txt
#            --no-build       use the existing Release build
# Results: .artifacts/load/results.jsonl (one JSON line per run, appended), .artifacts/load/results.md (this run),
# and the servers' logs of the last run of each in .artifacts/load/logs/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

smoke=0 build=1 perf=0 storm=2000 idle=2000 rooms=0 cluster=0 redis_fsync=always servers="plain orleans seed"
only="room100 room500 room2000 burst storm idle"
while (($#)); do
  case $1 in
    --smoke) smoke=1; servers="plain orleans"; shift ;;
    --servers) servers=${2:?}; shift 2 ;;
    --storm) storm=${2:?}; shift 2 ;;
    --idle) idle=${2:?}; shift 2 ;;
    --scenarios) only=${2:?}; shift 2 ;;
    --rooms) rooms=1; shift ;;
    --cluster) cluster=1; shift ;;
    --redis-fsync) redis_fsync=${2:?}; shift 2 ;;
    --perf) perf=1; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

say() { printf '== %s\n' "$*" >&2; }
has() { [[ " $servers " == *" $1 "* ]]; }
wanted() { [[ " $only " == *" $1 "* ]]; }

out=.artifacts/load
mkdir -p "$out"
work=$(mktemp -d /tmp/orleanschat-load.XXXXXX)
results=$work/results.jsonl
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  mkdir -p "$out/logs" && cp "$work"/*.log "$out/logs/" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------------------------
tool_dll=bench/LoadTool/bin/Release/net10.0/OrleansChat.Bench.LoadTool.dll
plain_dll=bench/PlainSignalR/bin/Release/net10.0/OrleansChat.Bench.PlainSignalR.dll
front_dll=WebFront/bin/Release/net10.0/OrleansChat.WebFront.dll
projects=(bench/LoadTool/LoadTool.csproj bench/PlainSignalR/PlainSignalR.csproj WebFront/WebFront.csproj)
# The cluster runs deploy/local-cluster.sh on the Release builds of the silo and the front.
((cluster)) && projects+=(Silo/Silo.csproj)
if ((build)); then
  if ((smoke)) && [[ -f $tool_dll && -f $plain_dll && -f $front_dll ]]; then
    say "smoke: using the existing Release build"
  else
    for project in "${projects[@]}"; do
      say "building $project (Release)"
      dotnet build "$project" -c Release -nologo -clp:ErrorsOnly -v:q >&2
    done
  fi
fi
if has seed; then
  [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import flask_socketio, eventlet' 2>/dev/null || {
    echo "run.sh: the seed needs Debian's python3-flask-socketio and python3-eventlet (apt-get install them)" >&2; exit 1; }
  [[ -d bench/seed/node_modules/socket.io-client ]] || (cd bench/seed && npm ci --no-audit --no-fund >&2)
fi

# --- servers -------------------------------------------------------------------------------------------------------
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

wait_ready() { # url pid
  for _ in $(seq 600); do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "run.sh: server exited while starting ($1); log in $work" >&2; return 1; }
    sleep 0.1
  done
  echo "run.sh: $1 not ready after 60 s" >&2
  return 1
}

# Starts $1 in the background; sets server_pid, server_url (what the load tool or the driver connects to) and
# server_metrics (OrleansChat's Prometheus endpoint, empty for the others).
start_server() {
  local name=$1 port
  port=$(free_port)
  server_metrics=
  case $name in
    plain)
      ASPNETCORE_URLS=http://127.0.0.1:$port dotnet "$plain_dll" >"$work/plain.log" 2>&1 &
      server_pid=$! server_url=http://127.0.0.1:$port/hubs/chat ready=http://127.0.0.1:$port/ ;;
    orleans | orleans-nofsync)
      # orleans-nofsync: the same with OrleansChat:Storage:FlushToDisk=false, to measure what fsync costs.
      local data=$work/orleans-data-$port flush=true
      [[ $name == orleans-nofsync ]] && flush=false
      mkdir -p "$data"
      (cd WebFront && ASPNETCORE_URLS=http://127.0.0.1:$port OrleansChat__Storage__FlushToDisk=$flush \
        DOTNET_PerfMapEnabled=$perf DOTNET_EnableWriteXorExecute=$((1 - perf)) \
        OrleansChat__Cluster__SiloPort=$(free_port) \
        OrleansChat__Storage__DataPath="$data" \
        OrleansChat__Limits__MessagesPerSecond=1000000 \
        OrleansChat__Limits__MessageBurst=100000 \
        OrleansChat__Limits__ConnectionsPerAddress=1000000 \
        Logging__LogLevel__Default=Warning Logging__LogLevel__OrleansChat=Warning \
        exec dotnet "bin/Release/net10.0/OrleansChat.WebFront.dll") >"$work/orleans.log" 2>&1 &
      server_pid=$! server_url=http://127.0.0.1:$port/hubs/chat ready=http://127.0.0.1:$port/health/ready
      server_metrics=http://127.0.0.1:$port/admin/metrics ;;
    seed)
      (cd bench/seed && exec /usr/bin/python3 server.py --port "$port") >"$work/seed.log" 2>&1 &
      server_pid=$! server_url=http://127.0.0.1:$port ready=http://127.0.0.1:$port/ ;;
  esac
  pids+=("$server_pid")
  wait_ready "$ready" "$server_pid"
}

stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

failures=0
# bench SERVER "SCENARIO ARGS" ["SCENARIO ARGS" ...]: one server instance, the scenarios in turn.
bench() {
  local name=$1 spec rc
  shift
  start_server "$name"
  # Warm-up: the JIT compiles the hot path at tier 0 first, then again optimised; a short run first keeps
  # that out of the measured figures (the profile showed most frames QuickJitted in 10-second runs without it).
  # Not before the idle scenario, whose memory baseline is the fresh server, nor in the smoke run, which only checks.
  if [[ $* != *idle* ]] && ((!smoke)); then
    case $name in
      seed) (cd bench/seed && node driver.mjs --url "$server_url" --scenario burst --clients 20 --senders 5 --duration 3) ;;
      *) dotnet "$tool_dll" run --server "$name" --url "$server_url" --scenario burst --clients 20 --senders 5 --duration 3 --close true ;;
    esac >/dev/null 2>&1 || say "$name: warm-up failed"
  fi
  for spec in "$@"; do
    say "$name: $spec (uptime: $(cut -d' ' -f1-3 /proc/loadavg))"
    local sampler= tag
    if ((perf)) && [[ $name == orleans* ]]; then
      tag=$name-$(sed 's/--scenario \([a-z]*\) --clients \([0-9]*\).*/\1\2/' <<<"$spec")
      perf record -q -F 499 -g -p "$server_pid" -o "$out/perf-$tag.data" >/dev/null 2>&1 &
      sampler=$!
    fi
    set +e
    case $name in
      seed) (cd bench/seed && node driver.mjs --url "$server_url" --pid "$server_pid" --json-out "$results" $spec) ;;
      *) dotnet "$tool_dll" run --server "$name" --url "$server_url" --pid "$server_pid" --json-out "$results" \
        ${server_metrics:+--metrics-url "$server_metrics"} $spec ;;
    esac
    rc=$?
    set -e
    if [[ -n $sampler ]]; then
      kill -INT "$sampler" 2>/dev/null || true
      wait "$sampler" 2>/dev/null || true
      { echo "## self time by module"
        perf report -i "$out/perf-$tag.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -20
        echo "## inclusive time of managed frames (children)"
        perf report -i "$out/perf-$tag.data" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' \
          | grep -v '\[k\]' | head -120
        echo "## self time by symbol"
        perf report -i "$out/perf-$tag.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep '%' | head -50
      } | cut -c1-240 >"$out/perf-$tag.txt" || true
      say "perf: $out/perf-$tag.txt"
    fi
    ((rc == 0)) || { failures=$((failures + 1)); say "$name: FAILED ($spec)"; }
  done
  stop_server "$server_pid"
}

# The 2-silo + 2-front cluster of deploy/local-cluster.sh (Redis), flood limits raised through the environment it
# passes on; clients alternate between the two fronts, so most deliveries cross fronts. Server CPU and RSS are the
# sums over both silos, both fronts and redis.
bench_cluster() {
  local spec=$1 offset log rc cluster_pid pids_csv urls
  # Every port of the cluster (up to the gateway's 30001 + offset) stays below Linux's ephemeral range (32768 up),
  # where the load tool's thousands of client sockets would sometimes hold the one a silo must listen on.
  offset=$((1000 + RANDOM % 1700))
  log=$work/cluster.log
  OrleansChat__Limits__MessagesPerSecond=1000000 OrleansChat__Limits__MessageBurst=100000 \
    OrleansChat__Limits__ConnectionsPerAddress=1000000 \
    Logging__LogLevel__Default=Warning Logging__LogLevel__OrleansChat=Warning \
    bash deploy/local-cluster.sh --no-build --port-offset "$offset" --timeout 120 --redis-fsync "$redis_fsync" \
    </dev/null >"$log" 2>&1 &
  cluster_pid=$!
  pids+=("$cluster_pid")
  for _ in $(seq 300); do
    grep -q '^== ready' "$log" && break
    kill -0 "$cluster_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! grep -q '^== ready' "$log"; then
    say "cluster: not ready"; tail -n 20 "$log" >&2; failures=$((failures + 1))
  else
    pids_csv=$(sed -n 's/^ *\(redis\|silo[12]\|front[12]\) *pid \([0-9]*\).*/\2/p' "$log" | paste -sd,)
    urls="http://127.0.0.1:$((8881 + offset))/hubs/chat,http://127.0.0.1:$((8884 + offset))/hubs/chat"
    # The same warm-up as bench's: without it a fresh cluster's first run measures its JIT (bench/README.md,
    # "Redis fsync: always against everysec").
    dotnet "$tool_dll" run --server orleans-2x2 --url "$urls" --scenario burst --clients 20 --senders 5 --duration 3 \
      --close true >/dev/null 2>&1 || say "cluster: warm-up failed"
    say "cluster: $spec (uptime: $(cut -d' ' -f1-3 /proc/loadavg))"
    set +e
    dotnet "$tool_dll" run --server "orleans-2x2-$redis_fsync" --pid "$pids_csv" --json-out "$results" $spec \
      --url "$urls" \
      --metrics-url "http://127.0.0.1:$((8881 + offset))/admin/metrics,http://127.0.0.1:$((8884 + offset))/admin/metrics"
    rc=$?
    set -e
    ((rc == 0)) || { failures=$((failures + 1)); say "cluster: FAILED ($spec)"; }
  fi
  kill -TERM "$cluster_pid" 2>/dev/null || true
  wait "$cluster_pid" 2>/dev/null || true
}

# Each scenario on every server in turn, so the servers are compared under the same machine load.
scenario() { # "SCENARIO ARGS" [seed] [deflate]: the dotnet servers, then the seed (without and with deflate)
  local spec=$1 seed=${2:-} name
  for name in plain orleans orleans-nofsync; do has "$name" && bench "$name" "$spec"; done
  if [[ -n $seed ]] && has seed; then
    # The seed never answers past its 1,024th connection: a shorter connect timeout keeps that from stalling the run.
    bench seed "$spec --connect-timeout 30 --deflate off"
    [[ ${3:-} == deflate ]] && bench seed "$spec --connect-timeout 30 --deflate on"
  fi
  return 0
}

if ((smoke)); then
  # The storm comes first and closes its connections: the room must hold only its clients for the member count check.
  for name in plain orleans; do
    has "$name" && bench "$name" \
      "--scenario storm --clients 40 --parallel 10 --drain 5 --close true" \
      "--scenario room --clients 20 --senders 3 --rate 20 --duration 3 --drain 5" \
      "--scenario burst --clients 20 --senders 3 --duration 2 --drain 5"
  done
else
  wanted room100 && scenario "--scenario room --clients 100 --senders 10 --rate 10 --duration 15 --connect-timeout 120" seed
  wanted room500 && scenario "--scenario room --clients 500 --senders 10 --rate 10 --duration 15 --connect-timeout 120" seed deflate
  wanted room2000 && scenario "--scenario room --clients 2000 --senders 10 --rate 10 --duration 15 --connect-timeout 120"
  wanted burst && scenario "--scenario burst --clients 100 --senders 10 --duration 10 --connect-timeout 120" seed deflate
  wanted storm && scenario "--scenario storm --clients $storm --parallel 50 --connect-timeout 120" seed
  wanted idle && scenario "--scenario idle --clients $idle --connect-timeout 600"
  if ((rooms)) && has orleans; then
    bench orleans "--scenario rooms --rooms 1000 --clients 10000 --senders 1 --rate 1 --duration 15 --connect-timeout 600"
  fi
  # The cluster runs the rate scenarios that were asked for: room100 is the one below saturation, where the
  # cross-front latency can be compared with the single process's. Burst is there for the store: each sender waits
  # for its acknowledgement, so it shows what a durable Redis write costs a post.
  if ((cluster)) && has orleans; then
    wanted room100 && bench_cluster "--scenario room --clients 100 --senders 10 --rate 10 --duration 15 --connect-timeout 120"
    wanted room500 && bench_cluster "--scenario room --clients 500 --senders 10 --rate 10 --duration 15 --connect-timeout 120"
    wanted burst && bench_cluster "--scenario burst --clients 100 --senders 10 --duration 10 --connect-timeout 120"
  fi
fi

cat "$results" >>"$out/results.jsonl"
dotnet "$tool_dll" report "$results" | tee "$out/results.md"
say "results: $out/results.md, $out/results.jsonl"
if ((failures)); then
  say "$failures run(s) failed: something was lost, duplicated, out of order, refused, or nothing was delivered"
  exit 1
fi
