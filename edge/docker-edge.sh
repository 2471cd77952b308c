#!/usr/bin/env bash
# Entry point of the edge container: renders nginx.conf from the environment compose sets
# (HTTPS listener, certificate, ems-api on the shared loopback) and runs nginx in front.
set -euo pipefail
conf=$(/opt/ems/edge/prepare-edge.sh /var/lib/ems/edge)
exec nginx -e stderr -c "$conf"
