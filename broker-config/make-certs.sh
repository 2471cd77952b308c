#!/usr/bin/env bash
# Makes a local CA and a server certificate for the broker's TLS listener, valid for
# localhost, 127.0.0.1 and the compose service name "broker". Keeps existing files.
# Usage: make-certs.sh CERT_DIR
set -euo pipefail
dir=${1:?usage: make-certs.sh CERT_DIR}
mkdir -p "$dir"
cd "$dir"
[ -f server.crt ] && [ -f ca.crt ] && exit 0
umask 077
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=ems local CA" -out ca.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,DNS:broker,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext
chmod 644 ca.crt server.crt
# mosquitto may run as its own user: it must read the key.
chmod 644 server.key
