#!/usr/bin/env bash
# Creates .env with random local secrets on first run; a second run keeps it, adding only the
# secrets of services newer than the file (ems-ocpp's). Either way the file is left readable by
# its owner only (0600).
# Usage: scripts/ensure-env.sh [PATH]   (default: .env at the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
env_file=${1:-$root/.env}
secret() { openssl rand -base64 "$1" | tr -d '\n=+/' | cut -c1-"$2"; }
umask 077
if [ -f "$env_file" ]; then
  chmod 600 "$env_file"
  for name in EMS_OCPP_MQTT_PASSWORD EMS_OCPP_CONTROL_SECRET; do
    grep -q "^$name=" "$env_file" || echo "$name=$(secret 32 32)" >> "$env_file"
  done
  exit 0
fi
sed -e "s|^EMS_JWT_SECRET=.*|EMS_JWT_SECRET=$(secret 48 48)|" \
    -e "s|^EMS_ADMIN_PASSWORD=.*|EMS_ADMIN_PASSWORD=$(secret 24 20)|" \
    -e "s|^EMS_PUBLISHER_MQTT_PASSWORD=.*|EMS_PUBLISHER_MQTT_PASSWORD=$(secret 32 32)|" \
    -e "s|^EMS_LISTENER_MQTT_PASSWORD=.*|EMS_LISTENER_MQTT_PASSWORD=$(secret 32 32)|" \
    -e "s|^EMS_API_MQTT_PASSWORD=.*|EMS_API_MQTT_PASSWORD=$(secret 32 32)|" \
    -e "s|^EMS_OCPP_MQTT_PASSWORD=.*|EMS_OCPP_MQTT_PASSWORD=$(secret 32 32)|" \
    -e "s|^EMS_OCPP_CONTROL_SECRET=.*|EMS_OCPP_CONTROL_SECRET=$(secret 32 32)|" \
    "$root/.env.example" > "$env_file"
echo "Created $env_file with new random secrets."
