#!/usr/bin/env bash
# Runs a whole cluster on this machine without containers: a private redis-server, two silos and two web fronts,
# as plain dotnet processes from a Release build. Stops everything it started on Ctrl-C, TERM or exit.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/local-cluster.sh [options]

Builds Silo and WebFront in Release, then starts on 127.0.0.1:
  redis     a private redis-server on a free port from 6379 up, or --redis-port, with an append-only file in the
            log folder, fsync'ed before every reply (--redis-fsync): a redis restarted on that folder keeps every
            acknowledged write
  silo1     HTTP 8882, silo port 11111, gateway 30000
  silo2     HTTP 8883, silo port 11112, gateway 30001
  front1    HTTP 8881  (the chat page)
  front2    HTTP 8884  (the chat page)
waits until every /health/ready answers 200, prints the fronts' URLs and runs until Ctrl-C. Logs go to a temporary
folder that it prints. Stopping one process by its pid (shown at start) is a failover test: the rest keep running.

Options:
  --port-offset N   add N to every port above (default 0), to run beside another chat
  --redis-port N    use this port for redis-server instead of the first free one
  --redis-fsync always|everysec
                    when redis fsyncs its append-only file (default always, as shipped in deploy/compose.yaml and
                    deploy/k8s): always makes an acknowledged post durable; everysec is there to measure what
                    that costs (bench/README.md) and can lose the last second of writes
  --timeout S       seconds each process has to become ready (default 60)
  --no-build        use the existing Release build
  --check           stop everything and exit 0 as soon as all are ready (a smoke test)
  -h, --help        show this help

Needs the .NET 10 SDK, Node.js with npm (the WebFront build), curl, and redis-server (Debian: apt-get install
redis-server).
EOF
}

port_offset=0
redis_port=
redis_fsync=always
timeout_s=60
build=1
check=0
while (($#)); do
  case $1 in
    --port-offset) port_offset=${2:?--port-offset needs a number}; shift 2 ;;
    --redis-port) redis_port=${2:?--redis-port needs a number}; shift 2 ;;
    --redis-fsync) redis_fsync=${2:?--redis-fsync needs always or everysec}; shift 2 ;;
    --timeout) timeout_s=${2:?--timeout needs a number}; shift 2 ;;
    --no-build) build=0; shift ;;
    --check) check=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'Unknown option: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done
for number in "$port_offset" "$timeout_s" ${redis_port:+"$redis_port"}; do
  [[ $number =~ ^[0-9]+$ ]] || { printf 'Not a number: %s\n' "$number" >&2; exit 2; }
done
[[ $redis_fsync == always || $redis_fsync == everysec ]] ||
  { printf 'Not always or everysec: %s\n' "$redis_fsync" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say() { printf '== %s\n' "$*"; }
fail() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

for tool in dotnet curl redis-server; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found on PATH (see --help)"
done

# True when something accepts connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Every background job below gets a process group of its own, so stopping one stops all it started, and Ctrl-C at
# the terminal reaches only this script, which then stops the others in order.
set -m

work=$(mktemp -d "${TMPDIR:-/tmp}/orleans-chat-cluster.XXXXXX")
declare -A pids=()
names=()

# Sends TERM to a process group and waits up to $2 seconds for its leader to exit, then KILLs the group.
stop_one() {
  local name=$1 grace=$2 pid=${pids[$1]}
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    printf '   %s did not stop within %ss; killing it\n' "$name" "$grace"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Fronts first (they announce their users' leaves through the silos), then silos (they hand grains off), then redis.
cleanup() {
  local status=$?
  trap '' INT TERM
  set +e
  if ((${#names[@]})); then
    say "stopping"
    local group name stoppers
    for group in front silo redis; do
      stoppers=()
      for name in "${names[@]}"; do
        if [[ $name == "$group"* ]]; then
          stop_one "$name" 40 &
          stoppers+=("$!")
        fi
      done
      ((${#stoppers[@]} == 0)) || wait "${stoppers[@]}"
    done
    # Reap the processes themselves: they are this shell's children, not the stoppers'.
    for name in "${names[@]}"; do wait "${pids[$name]}" 2>/dev/null; done
  fi
  say "logs kept in $work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts a process in the background with its output in $work/$name.log. Arguments: name, working directory, then
# the command with VAR=value settings first (as env takes them).
start() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && exec env "$@") </dev/null >"$work/$name.log" 2>&1 &
  pids[$name]=$!
  names+=("$name")
  printf '   %-6s pid %-7s log %s\n' "$name" "$!" "$work/$name.log"
}

# Waits until $3 answers (a command), failing if process $1 dies or $2 seconds pass.
await() {
  local name=$1 limit=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if ! kill -0 "${pids[$name]}" 2>/dev/null; then
      tail -n 30 "$work/$name.log" >&2 || true
      fail "$name exited before it was ready (log: $work/$name.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$work/$name.log" >&2 || true
      fail "$name was not ready within ${limit}s (log: $work/$name.log)"
    fi
    sleep 0.5
  done
}

http_ready() { curl -fs -o /dev/null --max-time 2 "$1"; }
redis_ready() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3
    [[ $reply == +PONG* ]]
  ) 2>/dev/null
}

front1_http=$((8881 + port_offset))
silo1_http=$((8882 + port_offset))
silo2_http=$((8883 + port_offset))
front2_http=$((8884 + port_offset))
silo1_port=$((11111 + port_offset))
silo2_port=$((11112 + port_offset))
silo1_gateway=$((30000 + port_offset))
silo2_gateway=$((30001 + port_offset))

if [[ -z $redis_port ]]; then
  redis_port=6379
  while port_in_use "$redis_port"; do redis_port=$((redis_port + 1)); done
fi
for port in "$redis_port" "$front1_http" "$silo1_http" "$silo2_http" "$front2_http" \
  "$silo1_port" "$silo2_port" "$silo1_gateway" "$silo2_gateway"; do
  ! port_in_use "$port" || fail "port $port is in use (try --port-offset)"
done

if ((build)); then
  say "building Silo and WebFront (Release)"
  dotnet build "$root/Silo/Silo.csproj" -c Release -nologo -clp:ErrorsOnly
  dotnet build "$root/WebFront/WebFront.csproj" -c Release -nologo -clp:ErrorsOnly
fi
silo_dll=bin/Release/net10.0/OrleansChat.Silo.dll
front_dll=bin/Release/net10.0/OrleansChat.WebFront.dll
[[ -f $root/Silo/$silo_dll && -f $root/WebFront/$front_dll ]] || fail "no Release build found; run without --no-build"

say "starting (logs in $work)"
mkdir "$work/redis"
# The append-only file is the only persistence: snapshots would add nothing to it but forks.
start redis "$work/redis" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly yes \
  --appendfsync "$redis_fsync" --dir "$work/redis"
await redis "$timeout_s" redis_ready "$redis_port"

# Each process runs in its project folder, its content root: appsettings.json and, for the fronts, wwwroot.
cluster=(
  OrleansChat__Cluster__Mode=Redis
  "OrleansChat__Cluster__RedisConnectionString=127.0.0.1:$redis_port"
  OrleansChat__Cluster__AdvertisedAddress=127.0.0.1
)
start silo1 "$root/Silo" "${cluster[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$silo1_http" \
  "OrleansChat__Cluster__SiloPort=$silo1_port" "OrleansChat__Cluster__GatewayPort=$silo1_gateway" dotnet "$silo_dll"
start silo2 "$root/Silo" "${cluster[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$silo2_http" \
  "OrleansChat__Cluster__SiloPort=$silo2_port" "OrleansChat__Cluster__GatewayPort=$silo2_gateway" dotnet "$silo_dll"
await silo1 "$timeout_s" http_ready "http://127.0.0.1:$silo1_http/health/ready"
await silo2 "$timeout_s" http_ready "http://127.0.0.1:$silo2_http/health/ready"

start front1 "$root/WebFront" "${cluster[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$front1_http" dotnet "$front_dll"
start front2 "$root/WebFront" "${cluster[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$front2_http" dotnet "$front_dll"
await front1 "$timeout_s" http_ready "http://127.0.0.1:$front1_http/health/ready"
await front2 "$timeout_s" http_ready "http://127.0.0.1:$front2_http/health/ready"

say "ready"
printf '   chat:    http://127.0.0.1:%s   http://127.0.0.1:%s\n' "$front1_http" "$front2_http"
printf '   silos:   http://127.0.0.1:%s   http://127.0.0.1:%s   (/health/ready, /admin/metrics)\n' \
  "$silo1_http" "$silo2_http"
printf '   redis:   127.0.0.1:%s   (appendfsync %s, data in %s)\n' "$redis_port" "$redis_fsync" "$work/redis"
((check)) && exit 0

say "running; Ctrl-C stops everything"
# Reports each process that exits (say, one stopped by hand to watch a failover) and keeps the rest running.
running=("${names[@]}")
while ((${#running[@]})); do
  wait -n || true
  still=()
  for name in "${running[@]}"; do
    if kill -0 "${pids[$name]}" 2>/dev/null; then
      still+=("$name")
    else
      code=0
      wait "${pids[$name]}" 2>/dev/null || code=$?
      printf '   %s (pid %s) exited with code %s; log: %s\n' "$name" "${pids[$name]}" "$code" "$work/$name.log"
    fi
  done
  running=("${still[@]}")
done
say "every process has exited"
