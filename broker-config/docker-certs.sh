#!/usr/bin/env bash
# Entry point of the one-shot compose service "certs": makes the local CA and the broker's and
# the edge's certificates in /var/lib/ems/pki, the only volume that holds the CA key, then hands
# each container only what it needs: ca.crt to the apps, the broker's certificate and key to the
# broker, the edge's to the edge. A certificate put in ems-pki by hand is kept (make-certs.sh).
set -euo pipefail
pki=/var/lib/ems/pki
/opt/ems/broker-config/make-certs.sh "$pki"
install -m 644 "$pki/ca.crt" /var/lib/ems/ca/
install -m 644 "$pki/ca.crt" "$pki/server.crt" /var/lib/ems/broker-tls/
install -m 600 "$pki/server.key" /var/lib/ems/broker-tls/
install -m 644 "$pki/ca.crt" "$pki/edge.crt" /var/lib/ems/edge-tls/
install -m 600 "$pki/edge.key" /var/lib/ems/edge-tls/
