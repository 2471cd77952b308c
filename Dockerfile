# One image for the ems containers (certs, broker, edge, api, listener, publisher, ocpp).
# Stage 1 builds the executables with the same script a developer uses.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEMS_BUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target ems-publisher ems-listener ems-api ems-ocpp

# Stage 2: runtime libraries only; every service runs as the unprivileged user ems.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpaho-mqttpp3-1 libpaho-mqtt1.3 libcpp-httplib0.11 libsqlite3-0 libcctz2 libsodium23 libxxhash0 libsimdjson14 \
      mosquitto mosquitto-clients nginx openssl curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# One folder per named volume of docker-compose.yml; a new volume takes its owner from here.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/ems --no-create-home ems \
 && mkdir -p /var/lib/ems/pki /var/lib/ems/ca /var/lib/ems/broker /var/lib/ems/broker-tls \
      /var/lib/ems/edge /var/lib/ems/edge-tls /var/lib/ems/db /var/lib/ems/publisher \
 && chown -R ems:ems /var/lib/ems \
 && chmod 700 /var/lib/ems/pki /var/lib/ems/broker /var/lib/ems/broker-tls /var/lib/ems/edge-tls
COPY --from=build /src/build/bin/ems-publisher /src/build/bin/ems-listener /src/build/bin/ems-api \
     /src/build/bin/ems-ocpp /usr/local/bin/
COPY broker-config /opt/ems/broker-config
COPY edge /opt/ems/edge
USER ems
WORKDIR /var/lib/ems
