#!/usr/bin/env bash
# The image's HEALTHCHECK (Dockerfile): one image runs every compose service, so the check
# follows the container's main process (PID 1, which each entry point execs).
#   nginx      the edge answers /health over HTTPS with its certificate (ems-api behind it too)
#   ems-api    /health on its loopback address
#   node       ems-graphql answers /health on its loopback address
#   mosquitto  an authenticated MQTT client is accepted on the broker's plain loopback listener
#   other      ems-listener, ems-publisher and any later service that talks MQTT: it holds an
#              established connection to the broker's TLS port (8883)
#   bash       the one-shot certs service, healthy while it runs
# Exit 0 healthy, 1 unhealthy. docs/deployment.md explains who runs it (Docker does; podman
# needs systemd timers for it, so the compose tier runs `podman healthcheck run`).
set -euo pipefail
broker_connected() {
  # /proc/net/tcp*: remote address "HEX_IP:22B3" (port 8883), state 01 (ESTABLISHED).
  awk 'NR > 1 && $3 ~ /:22B3$/ && $4 == "01" { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
case "$(cat /proc/1/comm)" in
  nginx)
    port=${EMS_EDGE_LISTEN:-127.0.0.1:8000}
    if [ -n "${EMS_EDGE_TLS_CERT:-}" ]; then
      curl -fsS -o /dev/null --max-time 4 --cacert "$(dirname "$EMS_EDGE_TLS_CERT")/ca.crt" \
        "https://localhost:${port##*:}/health"
    else
      curl -fsS -o /dev/null --max-time 4 "http://127.0.0.1:${port##*:}/health"
    fi ;;
  ems-api) curl -fsS -o /dev/null --max-time 4 "http://${EMS_API_LISTEN:-127.0.0.1:8080}/health" ;;
  node) curl -fsS -o /dev/null --max-time 4 "http://${EMS_GRAPHQL_LISTEN:-127.0.0.1:8090}/health" ;;
  mosquitto)
    mosquitto_sub -h 127.0.0.1 -p "${EMS_BROKER_PORT:-1883}" -u ems-api -P "$EMS_API_MQTT_PASSWORD" \
      -i "healthcheck-$$" -t '$SYS/broker/uptime' -E -W 4 ;;
  bash | sh) exit 0 ;;
  *) broker_connected ;;
esac
