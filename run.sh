#!/usr/bin/env bash
# Runs ems on this machine: installs what is missing, builds, creates .env with local secrets
# on the first run, prepares and starts its own Mosquitto from broker-config/, then the
# listener, the API, ems-ocpp (OCPP chargers), the publisher, the GraphQL service (graphql/,
# Node.js) and the HTTP edge (nginx from edge/) in front of the API, GraphQL and ems-ocpp.
# Ctrl-C stops them all. A second run reuses .env and data/.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

scripts/install-deps.sh
scripts/graphql-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target ems-publisher ems-listener ems-api ems-ocpp
scripts/ensure-env.sh

set -a
# shellcheck disable=SC1091
source .env
set +a
broker_port=${EMS_BROKER_PORT:-1883}
tls_port=${EMS_BROKER_TLS_PORT:-8883}
api_listen=${EMS_API_LISTEN:-127.0.0.1:8080}
api_port=${api_listen##*:}
edge_listen=${EMS_EDGE_LISTEN:-127.0.0.1:8000}
edge_port=${edge_listen##*:}
graphql_listen=${EMS_GRAPHQL_LISTEN:-127.0.0.1:8090}
graphql_port=${graphql_listen##*:}
ocpp_listen=${EMS_OCPP_LISTEN:-127.0.0.1:9000}
ocpp_control=${EMS_OCPP_CONTROL_LISTEN:-127.0.0.1:9001}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for check in "$broker_port:EMS_BROKER_PORT" "$tls_port:EMS_BROKER_TLS_PORT" \
             "$api_port:EMS_API_LISTEN" "$edge_port:EMS_EDGE_LISTEN" \
             "$graphql_port:EMS_GRAPHQL_LISTEN" "${ocpp_listen##*:}:EMS_OCPP_LISTEN" \
             "${ocpp_control##*:}:EMS_OCPP_CONTROL_LISTEN"; do
  if port_taken "${check%%:*}"; then
    echo "Port ${check%%:*} is already in use (a system mosquitto or an earlier run?); set ${check##*:} in .env to move it." >&2
    exit 1
  fi
done
# Each service's Prometheus metrics on its default loopback port (docs/monitoring.md), unless
# EMS_METRICS_LISTEN is set in .env (empty: no metrics).
if [ -z "${EMS_METRICS_LISTEN+set}" ]; then
  for port in 9101 9102 9103 9104; do
    if port_taken "$port"; then
      echo "Port $port (Prometheus metrics) is already in use; set EMS_METRICS_LISTEN= (empty) in .env to turn the services' metrics off." >&2
      exit 1
    fi
  done
fi

mkdir -p data/logs
broker_state=${EMS_BROKER_STATE_DIR:-./data/broker}
conf=$(EMS_BROKER_PORT=$broker_port EMS_BROKER_TLS_PORT=$tls_port broker-config/prepare-broker.sh "$broker_state")
edge_conf=$(EMS_EDGE_LISTEN=$edge_listen EMS_API_LISTEN=$api_listen EMS_GRAPHQL_LISTEN=$graphql_listen \
  EMS_OCPP_LISTEN=$ocpp_listen \
  edge/prepare-edge.sh data/edge)

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping ems..."
  # Services first (they publish "offline" and commit their last batch), the broker last.
  for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
  kill -TERM "${pids[0]}" 2>/dev/null || true
  wait "${pids[0]}" 2>/dev/null || true
  echo "Stopped."
}
trap stop_all INT TERM EXIT

# setsid: Ctrl-C reaches the services, and the broker is stopped last, by stop_all.
setsid mosquitto -c "$conf" >data/logs/broker.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do port_taken "$broker_port" && break; sleep 0.1; done
port_taken "$broker_port" || { echo "The broker did not start; see data/logs/broker.log." >&2; exit 1; }

# A crashed listener is started again (as compose's restart policy does): a message that crashed
# it is set aside at its next start (docs/contract.md §4.4, poison), so one bad message never stops ingestion.
# A clean stop or a configuration error (exit code under 128) ends it.
supervise() {
  local child rc
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
  while true; do
    "$@" &
    child=$!
    rc=0
    wait "$child" || rc=$?
    [ "$rc" -lt 128 ] && exit "$rc"
    echo "$1 stopped by signal $((rc - 128)); starting it again" >&2
    sleep 1
  done
}

export EMS_MQTT_URL="mqtt://127.0.0.1:$broker_port"
EMS_MQTT_USERNAME=ems-listener EMS_MQTT_PASSWORD=$EMS_LISTENER_MQTT_PASSWORD \
  supervise build/bin/ems-listener &
pids+=($!)
EMS_MQTT_USERNAME=ems-api EMS_MQTT_PASSWORD=$EMS_API_MQTT_PASSWORD build/bin/ems-api &
pids+=($!)
EMS_MQTT_USERNAME=ems-ocpp EMS_MQTT_PASSWORD=$EMS_OCPP_MQTT_PASSWORD build/bin/ems-ocpp &
pids+=($!)
EMS_MQTT_USERNAME=ems-publisher EMS_MQTT_PASSWORD=$EMS_PUBLISHER_MQTT_PASSWORD build/bin/ems-publisher &
pids+=($!)
# GraphQL (docs/graphql.md), resolving through the API on loopback.
EMS_GRAPHQL_LISTEN=$graphql_listen EMS_API_URL=http://$api_listen node graphql/server.js &
pids+=($!)
# The edge: the one HTTP address users reach (EMS_EDGE_TLS_CERT/KEY in .env make it HTTPS).
nginx -e stderr -c "$edge_conf" >data/logs/edge.log 2>&1 &
pids+=($!)

scheme=http
ws=ws
note="plain HTTP on loopback only, so nothing crosses a network; docker-compose serves HTTPS"
if [ -n "${EMS_EDGE_TLS_CERT:-}" ]; then
  scheme=https
  ws=wss
  note="HTTPS with $EMS_EDGE_TLS_CERT"
fi
api="$scheme://$edge_listen"
for _ in $(seq 100); do curl -fs "http://$api_listen/health" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 50); do port_taken "$edge_port" && break; sleep 0.1; done
for _ in $(seq 50); do port_taken "$graphql_port" && break; sleep 0.1; done
cat <<INFO

  ems is running.
    Dashboard:  $api/   (sign in as the admin below)
    Address:    $api   ($note)
    API docs:   $api/docs     (ems-api itself listens on $api_listen, behind the edge)
    GraphQL:    $api/graphql  (docs/graphql.md)
    Broker:     mqtt://127.0.0.1:$broker_port, mqtts://127.0.0.1:$tls_port (CA: $broker_state/certs/ca.crt)
    Admin:      $EMS_ADMIN_USER / $EMS_ADMIN_PASSWORD
    Accounts:   build/bin/ems-api user add NAME --role viewer --sites SITE
    Gateways:   build/bin/ems-api gateway add SITE   (a broker user for a real site's gateway)
    Chargers:   build/bin/ems-api charger add SITE STATION   (an OCPP 1.6J charger, docs/ocpp.md);
                in the charger: $ws://$edge_listen/ocpp/STATION, user STATION, the password printed
    Try:        token=\$(curl -s -X POST $api/api/v1/auth/login -H 'Content-Type: application/json' \\
                  -d '{"username":"$EMS_ADMIN_USER","password":"$EMS_ADMIN_PASSWORD"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
                curl -s -H "Authorization: Bearer \$token" $api/api/v1/sessions?limit=5
  Ctrl-C stops everything.

INFO
# Exit (and stop the rest) as soon as any service dies.
wait -n "${pids[@]}" || true
