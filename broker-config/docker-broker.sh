#!/usr/bin/env bash
# Entry point of the broker container: prepares /data/broker and runs Mosquitto in front.
set -euo pipefail
conf=$(EMS_BROKER_BIND=0.0.0.0 /opt/ems/broker-config/prepare-broker.sh /data/broker)
exec mosquitto -c "$conf"
