#!/usr/bin/env bash
# Prepares a broker state directory: password file (one user per service, passwords from the
# environment, then the site gateways' users of STATE_DIR/gateways, which `ems-api gateway`
# keeps, and Home Assistant's of STATE_DIR/ha-users, which `ems-api ha-user` keeps), ACL and mosquitto.conf rendered from the templates beside this script, TLS
# certificates on first use, and the persistence folder.
#
# Environment: EMS_PUBLISHER_MQTT_PASSWORD, EMS_LISTENER_MQTT_PASSWORD, EMS_API_MQTT_PASSWORD
# (required); EMS_OCPP_MQTT_PASSWORD (the ems-ocpp user, made when set); EMS_BROKER_PORT (1883, plain MQTT, always on loopback), EMS_BROKER_TLS_PORT (8883),
# EMS_BROKER_TLS_BIND (127.0.0.1, address of the TLS listener), EMS_BROKER_CERT_DIR (folder with
# ca.crt, server.crt and server.key; default STATE_DIR/certs, made by make-certs.sh on first use),
# EMS_TOPIC_PREFIX (ems/v1), EMS_HA_PREFIX (homeassistant), EMS_BROKER_AUTOSAVE_S (30: the most a SIGKILL of the broker loses).
# Usage: prepare-broker.sh STATE_DIR   → writes STATE_DIR/mosquitto.conf
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${1:?usage: prepare-broker.sh STATE_DIR}
mkdir -p "$state/data"
state=$(cd "$state" && pwd)
: "${EMS_PUBLISHER_MQTT_PASSWORD:?missing}" "${EMS_LISTENER_MQTT_PASSWORD:?missing}" "${EMS_API_MQTT_PASSWORD:?missing}"
port=${EMS_BROKER_PORT:-1883}
tls_port=${EMS_BROKER_TLS_PORT:-8883}
tls_bind=${EMS_BROKER_TLS_BIND:-127.0.0.1}
cert_dir=${EMS_BROKER_CERT_DIR:-$state/certs}
prefix=${EMS_TOPIC_PREFIX:-ems/v1}
ha_prefix=${EMS_HA_PREFIX:-homeassistant}
autosave=${EMS_BROKER_AUTOSAVE_S:-30}

umask 077
rm -f "$state/passwd.new"
touch "$state/passwd.new"
mosquitto_passwd -b "$state/passwd.new" ems-publisher "$EMS_PUBLISHER_MQTT_PASSWORD"
mosquitto_passwd -b "$state/passwd.new" ems-listener "$EMS_LISTENER_MQTT_PASSWORD"
mosquitto_passwd -b "$state/passwd.new" ems-api "$EMS_API_MQTT_PASSWORD"
[ -z "${EMS_OCPP_MQTT_PASSWORD:-}" ] || mosquitto_passwd -b "$state/passwd.new" ems-ocpp "$EMS_OCPP_MQTT_PASSWORD"
[ ! -f "$state/gateways" ] || cat "$state/gateways" >> "$state/passwd.new"
[ ! -f "$state/ha-users" ] || cat "$state/ha-users" >> "$state/passwd.new"
mv "$state/passwd.new" "$state/passwd"

[ -n "${EMS_BROKER_CERT_DIR:-}" ] || "$here/make-certs.sh" "$cert_dir"
chmod 700 "$state"
chmod 600 "$state/passwd"

# Started as root, mosquitto drops to the "mosquitto" user: hand it the state folder. If that
# user cannot reach the folder (e.g. a checkout under /root), the broker keeps running as root.
broker_user=$(id -un)
if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then
  chown -R mosquitto "$state"
  if runuser -u mosquitto -- test -r "$state/passwd" 2>/dev/null; then
    broker_user=mosquitto
  else
    broker_user=root
  fi
fi

render() {
  sed -e "s|@STATE_DIR@|$state|g" -e "s|@PORT@|$port|g" -e "s|@TLS_PORT@|$tls_port|g" \
      -e "s|@TLS_BIND@|$tls_bind|g" -e "s|@CERT_DIR@|$cert_dir|g" -e "s|@PREFIX@|$prefix|g" \
      -e "s|@HA_PREFIX@|$ha_prefix|g" -e "s|@USER@|$broker_user|g" \
      -e "s|@AUTOSAVE_S@|$autosave|g" "$1" > "$2"
}
render "$here/acl.template" "$state/acl"
# The sites ems-ocpp may write to, as `ems-api charger add|remove` last wrote them (docs/ocpp.md).
[ ! -f "$state/ocpp-acl" ] || cat "$state/ocpp-acl" >> "$state/acl"
render "$here/mosquitto.conf.template" "$state/mosquitto.conf"
chmod 600 "$state/acl"
[ "$(id -u)" = 0 ] && chown "$broker_user" "$state/acl" "$state/mosquitto.conf"
echo "$state/mosquitto.conf"
