# One image for the ems containers (certs, broker, edge, api, graphql, listener, publisher,
# ocpp); docs/deployment.md.
# Stage 1 builds the executables with the same script a developer uses. Layers from the most to
# the least stable: packages (rebuilt only when install-deps.sh changes), then the sources, whose
# compile reuses a ccache kept by the engine between builds (RUN --mount=type=cache: BuildKit,
# and podman/buildah; Docker's legacy builder refuses it, see docs/deployment.md).
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ccache >/dev/null
COPY . .
RUN --mount=type=cache,target=/root/.cache/ccache,id=ems-ccache \
    export CCACHE_DIR=/root/.cache/ccache \
 && ccache --zero-stats >/dev/null \
 && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEMS_BUILD_TESTS=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null \
 && cmake --build build -j"$(nproc)" --target ems-publisher ems-listener ems-api ems-ocpp \
 && ccache --show-stats | grep -E "^ *(Hits|Misses):" \
 && strip build/bin/ems-publisher build/bin/ems-listener build/bin/ems-api build/bin/ems-ocpp \
 && scripts/graphql-deps.sh

# Stage 2: runtime libraries and the tools the entry points call (no compiler, no headers);
# every service runs as the unprivileged user ems.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpaho-mqttpp3-1 libpaho-mqtt1.3 libcpp-httplib0.11 libsqlite3-0 libpq5 libcctz2 libsodium23 libxxhash0 libsimdjson14 \
      mosquitto mosquitto-clients nginx openssl curl ca-certificates nodejs \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
# One folder per named volume of docker-compose.yml; a new volume takes its owner from here.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/ems --no-create-home ems \
 && mkdir -p /var/lib/ems/pki /var/lib/ems/ca /var/lib/ems/broker /var/lib/ems/broker-tls \
      /var/lib/ems/edge /var/lib/ems/edge-tls /var/lib/ems/db /var/lib/ems/publisher \
 && chown -R ems:ems /var/lib/ems \
 && chmod 700 /var/lib/ems/pki /var/lib/ems/broker /var/lib/ems/broker-tls /var/lib/ems/edge-tls
COPY broker-config /opt/ems/broker-config
COPY edge /opt/ems/edge
COPY --from=build /src/graphql /opt/ems/graphql
COPY scripts/container-health.sh /opt/ems/healthcheck.sh
COPY --from=build /src/build/bin/ems-publisher /src/build/bin/ems-listener /src/build/bin/ems-api \
     /src/build/bin/ems-ocpp /usr/local/bin/
# Docker runs it; podman keeps it only in Docker-format images (what its Docker API builds) and
# runs it from systemd timers or `podman healthcheck run` (docs/deployment.md).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/ems/healthcheck.sh"]
LABEL org.opencontainers.image.title="ems" \
      org.opencontainers.image.description="MQTT energy-management backend: broker, listener, API, HTTPS edge and simulating publisher" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.base.name="debian:12-slim"
USER ems
WORKDIR /var/lib/ems
