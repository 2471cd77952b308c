#!/usr/bin/env bash
# Prepares the edge's state directory: nginx.conf rendered from nginx.conf.template beside this
# script, and the folder of its temporary files. run.sh, the integration tests and the edge
# container all start nginx this way: `nginx -e stderr -c "$(prepare-edge.sh STATE_DIR)"`.
#
# Environment: EMS_EDGE_LISTEN (127.0.0.1:8000), the address users reach; EMS_API_LISTEN
# (127.0.0.1:8080), where ems-api listens on loopback; EMS_GRAPHQL_LISTEN (127.0.0.1:8090), where
# ems-graphql does (docs/graphql.md); EMS_OCPP_LISTEN (127.0.0.1:9000), where ems-ocpp takes the
# chargers' WebSockets (the edge's /ocpp/). With EMS_EDGE_TLS_CERT and
# EMS_EDGE_TLS_KEY (certificate chain and key files) the edge speaks HTTPS only.
# Usage: prepare-edge.sh STATE_DIR   → writes STATE_DIR/nginx.conf and prints its path
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${1:?usage: prepare-edge.sh STATE_DIR}
mkdir -p "$state/tmp"
state=$(cd "$state" && pwd)
listen=${EMS_EDGE_LISTEN:-127.0.0.1:8000}
upstream=${EMS_API_LISTEN:-127.0.0.1:8080}
graphql_upstream=${EMS_GRAPHQL_LISTEN:-127.0.0.1:8090}
ocpp_upstream=${EMS_OCPP_LISTEN:-127.0.0.1:9000}

# Plain HTTP only where nothing crosses a network; anywhere else, HTTPS.
tls="# Plain HTTP on loopback (run.sh): nothing crosses a network."
if [ -n "${EMS_EDGE_TLS_CERT:-}${EMS_EDGE_TLS_KEY:-}" ]; then
  if [ -z "${EMS_EDGE_TLS_CERT:-}" ] || [ -z "${EMS_EDGE_TLS_KEY:-}" ]; then
    echo "EMS_EDGE_TLS_CERT and EMS_EDGE_TLS_KEY: set both, or neither." >&2
    exit 2
  fi
  listen="$listen ssl"
  tls="ssl_certificate $EMS_EDGE_TLS_CERT; ssl_certificate_key $EMS_EDGE_TLS_KEY;"
  tls+=" ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:ems_tls:1m;"
else
  case $listen in
    127.*:* | localhost:* | "[::1]:"*) ;;
    *)
      echo "EMS_EDGE_LISTEN=$listen is not a loopback address: set EMS_EDGE_TLS_CERT and" \
           "EMS_EDGE_TLS_KEY to serve HTTPS there." >&2
      exit 2
      ;;
  esac
fi

# Started as root, nginx runs its workers as another user: Debian's www-data when it can reach
# the temporary files here, else root (say, a checkout under /root), as the broker does.
user="# Not started as root: the workers run as $(id -un)."
if [ "$(id -u)" = 0 ]; then
  worker=root
  if id www-data >/dev/null 2>&1 && runuser -u www-data -- test -x "$state/tmp" 2>/dev/null; then
    worker=www-data
  fi
  user="user $worker;"
fi

sed -e "s|@STATE_DIR@|$state|g" -e "s|@LISTEN@|$listen|g" -e "s|@UPSTREAM@|$upstream|g" \
    -e "s|@GRAPHQL_UPSTREAM@|$graphql_upstream|g" -e "s|@OCPP_UPSTREAM@|$ocpp_upstream|g" \
    -e "s|@TLS@|$tls|g" -e "s|@USER@|$user|g" "$here/nginx.conf.template" > "$state/nginx.conf"
echo "$state/nginx.conf"
