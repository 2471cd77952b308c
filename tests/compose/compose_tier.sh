#!/usr/bin/env bash
# Compose tier (CTest label `compose`, docs/deployment.md "The compose tier"): builds the image
# from the Dockerfile, starts docker-compose.yml under a project name of its own, waits for
# health, logs in through the HTTPS edge with the local CA, sees sessions, telemetry and an
# energy summary arrive, restarts the listener and the broker and shows nothing stored was lost
# and ingest goes on, checks each container's user and mounts, and removes every container,
# network and volume it made, also when a step fails.
#
# Engine: a running Docker engine (DOCKER_HOST or the default socket) if there is one; otherwise
# rootful podman with runc, serving the Docker API on a socket of this run, configured by
# tests/compose/containers.conf (CONTAINERS_CONF; nothing under /etc changes). Neither: one line
# and exit 77, which CTest reports as skipped.
# Settings: EMS_COMPOSE_TIMEOUT_S (180, each wait), EMS_COMPOSE_CACHE (base_image.sh). A failure
# prints the services' last log lines and keeps the logs in ./compose-tier-logs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/tests/compose

# The services of docker-compose.yml, one line each: name, kind, and the profile that enables
# it (none: always on). "once" runs to completion before the others start (exit 0); "serve"
# must become healthy by the image's HEALTHCHECK, survive the checks below and run as ems.
services=(
  "certs      once"
  "broker     serve"
  "edge       serve"
  "api        serve"
  "graphql    serve"
  "ocpp       serve"
  "listener   serve"
  "publisher  serve"
  "prometheus serve  monitoring"
)

timeout_s=${EMS_COMPOSE_TIMEOUT_S:-180}
logs=$PWD/compose-tier-logs  # kept on failure only (CTest runs the tier in build/tests)
export EMS_COMPOSE_CACHE=${EMS_COMPOSE_CACHE:-/var/cache/ems-compose}
# The project's settings come from the env file made below, never from this shell.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^EMS_' | grep -v '^EMS_COMPOSE_')

log() { printf '[compose %4ds] %s\n' "$SECONDS" "$*"; }
fail() { log "FAILED: $*" >&2; exit 1; }
field() { local f=$1; shift; for s in "${services[@]}"; do read -r -a w <<<"$s"; echo "${w[$f]:-}"; done; }
names_of() { for s in "${services[@]}"; do read -r -a w <<<"$s"; if [ "${w[1]}" = "$1" ]; then echo "${w[0]}"; fi; done; }
profiles=$(field 2 | sort -u | paste -sd, | sed 's/^,//')
mapfile -t serving < <(names_of serve)

# --- the engine ---------------------------------------------------------------------------
work=$(mktemp -d /tmp/ems-compose.XXXXXX)
project=emstier$$
image=ems-compose-tier:$project
service_pid=""
if docker info >/dev/null 2>&1; then
  engine=docker
  # docker-compose 1.29 builds with Docker's legacy builder unless told to use the CLI's
  # BuildKit, which the Dockerfile's cache mount needs (podman's builder has it anyway).
  export COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1
elif [ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v runc >/dev/null; then
  engine=podman
  export CONTAINERS_CONF=$here/containers.conf
  export DOCKER_HOST=unix://$work/podman.sock
else
  rm -rf "$work"
  echo "compose tier skipped: no Docker engine answers, and podman needs root with podman and runc" \
    "installed (scripts/install-deps.sh --with-compose)"
  exit 77
fi

export COMPOSE_PROFILES=$profiles
dc=(docker-compose --env-file "$work/.env" -f "$repo/docker-compose.yml" -p "$project")
compose() { "${dc[@]}" "$@"; }
project_objects() {
  local filter=label=com.docker.compose.project=${1:-$project}
  "$engine" ps -aq --filter "$filter"
  "$engine" volume ls -q --filter "$filter"
  "$engine" network ls -q --filter "$filter"
}
# Removes a project's containers, volumes and networks through the engine, without compose.
remove_project() {
  local filter=label=com.docker.compose.project=$1
  "$engine" ps -aq --filter "$filter" | xargs -r "$engine" rm -f >/dev/null 2>&1
  "$engine" volume ls -q --filter "$filter" | xargs -r "$engine" volume rm -f >/dev/null 2>&1
  "$engine" network ls -q --filter "$filter" | xargs -r "$engine" network rm >/dev/null 2>&1
  [ -z "$(project_objects "$1")" ]
}

teardown() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -f "$work/.env" ]; then
    if [ "$rc" != 0 ]; then
      log "state at the failure:" >&2
      compose ps >&2
      compose logs --no-color --tail=40 >&2
      mkdir -p "$logs" && cp "$work"/*.log "$logs"/ 2>/dev/null
      log "the build, up and engine logs are in $logs" >&2
    fi
    # A container in another's network namespace (api in edge's) can make the first pass stop
    # short; the second removes what is left.
    for _ in 1 2; do
      timeout 180 "${dc[@]}" down --volumes --rmi local --remove-orphans --timeout 10 >"$work/down.log" 2>&1
      [ -z "$(project_objects)" ] && break
    done
    if [ -n "$(project_objects)" ]; then
      log "left behind after two passes of docker-compose down: $(project_objects | paste -sd' ')" >&2
      remove_project "$project" || log "and the engine could not remove them either" >&2
      rc=1
    fi
    # The image stays as the next run's layer cache under one name; this run's own tag goes.
    "$engine" tag "$image" ems-compose-tier:last >/dev/null 2>&1 && "$engine" rmi "$image" >/dev/null 2>&1
    "$engine" image prune -f --filter label=org.opencontainers.image.title=ems >/dev/null 2>&1
  fi
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  rm -rf "$work"
  [ "$rc" = 0 ] && log "passed; project $project removed" || log "failed (exit $rc)" >&2
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$engine" = podman ]; then
  podman system service --time=0 "$DOCKER_HOST" >"$work/podman.log" 2>&1 &
  service_pid=$!
  api_up() { curl -fs --max-time 2 --unix-socket "$work/podman.sock" http://podman/_ping >/dev/null; }
  for _ in $(seq 100); do api_up && break; sleep 0.2; done
  api_up || fail "podman's Docker API did not answer: $(cat "$work/podman.log")"
fi
log "engine: $engine ($("$engine" --version)), project $project"

# What an earlier run killed outright (SIGKILL, a power cut) left behind: its project is named
# after a process id that no longer runs.
for stale in $({ "$engine" ps -a --format '{{index .Labels "com.docker.compose.project"}}'
                 "$engine" images --format '{{.Tag}}'; } | grep -E '^emstier[0-9]+$' | sort -u); do
  kill -0 "${stale#emstier}" 2>/dev/null && continue
  log "removing $stale, left behind by a run that was killed"
  remove_project "$stale" || log "could not remove all of $stale" >&2
  "$engine" rmi "ems-compose-tier:$stale" >/dev/null 2>&1 || true
done

# --- settings: fresh secrets, free host ports ---------------------------------------------
"$repo/scripts/ensure-env.sh" "$work/.env" >/dev/null
read -r https_port mqtt_port < <(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
# The publisher replays the last day in a minute, then runs with the wall clock: charging
# sessions at any hour, the hub's quiet night included.
cat >>"$work/.env" <<EOF
EMS_IMAGE=$image
EMS_EDGE_HTTPS_PORT=$https_port
EMS_BROKER_TLS_PORT=$mqtt_port
EMS_PUBLISHER_SITES=1
EMS_PUBLISHER_HUB_STATIONS=4
EMS_PUBLISHER_INTERVAL_S=15
EMS_PUBLISHER_SPEED=1440
EOF
setting() { sed -n "s/^$1=//p" "$work/.env" | tail -1; }

# Every service of the compose file has its line above (a new service needs its line).
declared=$(compose config --services | sort)
listed=$(field 0 | sort)
[ "$declared" = "$listed" ] ||
  fail "services of docker-compose.yml ($(echo $declared)) differ from the tier's list ($(echo $listed))"

# --- build and start ----------------------------------------------------------------------
"$here/base_image.sh" "$engine"
# One build per image: the services that share an image (all of them today) share its build.
mapfile -t builds < <(compose config | /usr/bin/python3 -c '
import sys, yaml
first = {}
for name, service in yaml.safe_load(sys.stdin)["services"].items():
    if "build" in service:
        first.setdefault(service.get("image", name), name)
print(*first.values(), sep="\n")')
log "building the image (${builds[*]})"
timeout 3600 "${dc[@]}" build "${builds[@]}" >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; fail "image build"; }
grep -E "^ *(Hits|Misses):" "$work/build.log" | head -2 | sed 's/^ */  compile: ccache /' |
  grep . || echo "  compile: the layer cache had it"
log "image built: $("$engine" image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
[ "$("$engine" image inspect -f '{{.Config.Healthcheck}}' "$image")" != "<nil>" ] ||
  fail "the image has no HEALTHCHECK (podman keeps it in Docker-format images only)"

log "starting the project"
timeout 600 "${dc[@]}" up -d >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "docker-compose up"; }

# The containers of this project, by service (a restart keeps them).
declare -A ids
for name in $(field 0); do ids[$name]=$(compose ps -q "$name" | head -1); done
id_of() { [ -n "${ids[$1]}" ] || fail "no container for $1"; echo "${ids[$1]}"; }
healthy() {  # podman runs no healthchecks without systemd timers: run the image's check here
  if [ "$engine" = podman ]; then
    podman healthcheck run "$1" >/dev/null 2>&1
  else
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$1")" = healthy ]
  fi
}
wait_healthy() {
  local deadline=$((SECONDS + timeout_s)) name id state
  for name in "$@"; do
    while :; do
      id=$(id_of "$name")
      state=$("$engine" inspect -f '{{.State.Status}}' "$id")
      [ "$state" = running ] && healthy "$id" && break
      [ $SECONDS -lt $deadline ] || fail "$name is not healthy after ${timeout_s}s (state $state)"
      sleep 2
    done
  done
  log "healthy: $*"
}
for name in $(names_of once); do
  read -r status code < <("$engine" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(id_of "$name")")
  [ "$status $code" = "exited 0" ] || fail "$name: $status, exit code $code"
done
wait_healthy "${serving[@]}"

# --- use it over HTTPS ----------------------------------------------------------------------
"$engine" cp "$(id_of edge):/var/lib/ems/edge-tls/ca.crt" "$work/ca.crt"
base=https://localhost:$https_port
token=$(jq -n --arg u "$(setting EMS_ADMIN_USER)" --arg p "$(setting EMS_ADMIN_PASSWORD)" \
    '{username: $u, password: $p}' |
  curl -fsS --max-time 10 --cacert "$work/ca.crt" -H 'Content-Type: application/json' \
    --data-binary @- "$base/api/v1/auth/login" | jq -er .token) ||
  fail "login through the HTTPS edge"
log "logged in through $base with the local CA"
api() { curl -fsS --max-time 20 --cacert "$work/ca.crt" -H "Authorization: Bearer $token" "$base$1"; }
# every item of a list route, following next_cursor
all_items() {
  local path=$1 sep cursor="" page
  [[ $path == *\?* ]] && sep='&' || sep='?'
  while :; do
    page=$(api "$path${sep}limit=1000${cursor:+&cursor=$cursor}")
    jq -c '.items[]' <<<"$page"
    cursor=$(jq -r '.next_cursor // empty | @uri' <<<"$page")
    [ -n "$cursor" ] || break
  done
}
wait_for() {  # wait_for WHAT COMMAND...: until COMMAND succeeds
  local what=$1 deadline=$((SECONDS + timeout_s))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "no $what after ${timeout_s}s"
    sleep 3
  done
  log "arrived: $what"
}
have_sessions() { [ "$(api '/api/v1/sessions?limit=1' | jq '.items | length')" -gt 0 ]; }
have_summary() { api /api/v1/energy/summary | jq -e '.sites > 0 and .devices_reporting > 0'; }
battery() { api '/api/v1/devices?type=battery' | jq -er '.items[0].id'; }
wait_for "sessions" have_sessions
wait_for "an energy summary" have_summary
wait_for "a battery" battery
device=$(battery)
have_telemetry() { api "/api/v1/devices/$device/metrics" | jq -e '[.items[].name] | index("power_w")'; }
wait_for "telemetry of $device" have_telemetry

# --- restarts: nothing stored is lost, ingest goes on -------------------------------------
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
snapshot_at=$(date +%s)
window="from=$(iso $((snapshot_at - 600)))&to=$(iso "$snapshot_at")"
series() { api "/api/v1/devices/$device/metrics/power_w/series?$window&interval=raw" | jq -c '.points[] | [.ts, .value]' | sort; }
session_ids() { all_items "/api/v1/sessions?to=$(iso "$snapshot_at")" | jq -er .session_id | sort -u; }
stored() { api /api/v1/ingest/stats | jq -e .stored; }
stored_before=$(stored)
series >"$work/series.before"
session_ids >"$work/sessions.before"
log "stored before the restarts: $stored_before messages, of them $(wc -l <"$work/series.before") readings of $device's power_w in 10 min; $(wc -l <"$work/sessions.before") sessions"
[ -s "$work/series.before" ] && [ -s "$work/sessions.before" ] || fail "nothing stored to compare"

for name in listener broker; do
  timeout 120 "${dc[@]}" restart "$name" >>"$work/restart.log" 2>&1 || fail "restart $name"
  log "restarted $name"
  wait_healthy "${serving[@]}"
done
restarted_at=$(date +%s)

series >"$work/series.after"
session_ids >"$work/sessions.after"
lost_readings=$(comm -23 "$work/series.before" "$work/series.after" | wc -l)
lost_sessions=$(comm -23 "$work/sessions.before" "$work/sessions.after" | wc -l)
[ "$lost_readings" = 0 ] || fail "$lost_readings readings of $device stored before the restarts are gone"
[ "$lost_sessions" = 0 ] || fail "$lost_sessions sessions stored before the restarts are gone"
log "nothing lost: every reading and session stored before the restarts is still there"
ingest_goes_on() {
  api "/api/v1/devices/$device/metrics" |
    jq -e --arg t "$(iso "$restarted_at")" '.items[] | select(.name == "power_w") | .ts > $t'
}
wait_for "telemetry newer than the restarts" ingest_goes_on
stored_after=$(stored)
[ "$stored_after" -gt "$stored_before" ] ||
  fail "the listener's stored total went from $stored_before to $stored_after"
log "ingest goes on: $stored_after messages stored"

# --- users and mounts ---------------------------------------------------------------------
compose config >"$work/config.yml"
for name in $(field 0); do "$engine" inspect "$(id_of "$name")"; done | jq -s 'add' >"$work/inspect.json"
/usr/bin/python3 "$here/running_check.py" "$project" "$work/config.yml" <"$work/inspect.json" ||
  fail "containers' users or mounts"
for name in "${serving[@]}"; do
  # the uid of the image's user ems, then the real, effective, saved and fs uid of every process
  out=$("$engine" exec "$(id_of "$name")" sh -c "id -u ems; awk '/^Uid:/ \
    { print \$2; print \$3; print \$4; print \$5 }' /proc/[0-9]*/status | sort -u | paste -sd' '")
  uid=$(sed -n 1p <<<"$out") uids=$(sed -n 2p <<<"$out")
  [ "$uid" != 0 ] && [ "$uids" = "$uid" ] || fail "$name has processes running as uid $uids (ems: $uid)"
done
log "every process of ${serving[*]} runs as uid $uid; mounts as compose_check.py allows"
