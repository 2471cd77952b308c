#!/usr/bin/env bash
# Entry point of the broker container: prepares /var/lib/ems/broker and runs Mosquitto in front.
# Compose sets where its certificate is and that its TLS listener faces the network; the plain
# listener stays on the container's loopback.
set -euo pipefail
conf=$(/opt/ems/broker-config/prepare-broker.sh "${EMS_BROKER_STATE_DIR:-/var/lib/ems/broker}")
exec mosquitto -c "$conf"
