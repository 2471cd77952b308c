#!/usr/bin/env bash
# Makes a local CA and the certificates it signs, in CERT_DIR:
#   server.crt/.key  the broker's TLS listener: localhost, 127.0.0.1 and the compose name "broker"
#   edge.crt/.key    the HTTPS edge: localhost, 127.0.0.1 and EMS_EDGE_HOSTNAME when set
# Keeps every existing file, so a certificate put in place by hand stays (docs/deployment.md). Private keys
# are written 0600 and never made readable by others.
# Usage: make-certs.sh CERT_DIR
set -euo pipefail
dir=${1:?usage: make-certs.sh CERT_DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

if [ ! -f ca.crt ] || [ ! -f ca.key ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=ems local CA" -out ca.crt \
    2>/dev/null
fi

# issue NAME SUBJECT_ALT_NAMES: NAME.key and NAME.crt signed by the CA, unless both exist.
issue() {
  [ -f "$1.crt" ] && [ -f "$1.key" ] && return 0
  openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "/CN=localhost" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
issue server "DNS:localhost,DNS:broker,IP:127.0.0.1"
edge_names="DNS:localhost,IP:127.0.0.1"
case ${EMS_EDGE_HOSTNAME:-} in
  "") ;;
  *[!0-9.]*) edge_names+=",DNS:$EMS_EDGE_HOSTNAME" ;;
  *) edge_names+=",IP:$EMS_EDGE_HOSTNAME" ;;
esac
issue edge "$edge_names"

chmod 644 ca.crt server.crt edge.crt
chmod 600 ca.key server.key edge.key
