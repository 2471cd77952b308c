# One image for the four ems containers (broker, listener, api, publisher).
# Stage 1 builds the executables with the same script a developer uses.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEMS_BUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target ems-publisher ems-listener ems-api

# Stage 2: runtime libraries only.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpaho-mqttpp3-1 libpaho-mqtt1.3 libcpp-httplib0.11 libsqlite3-0 libcctz2 libsodium23 \
      mosquitto mosquitto-clients openssl curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/bin/ems-publisher /src/build/bin/ems-listener /src/build/bin/ems-api /usr/local/bin/
COPY broker-config /opt/ems/broker-config
WORKDIR /data
VOLUME /data
