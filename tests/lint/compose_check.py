#!/usr/bin/python3
"""Checks the deployment that docker-compose.yml describes, as `docker-compose config` resolves
it (docs/contract.md §8): the host reaches HTTPS and MQTT over TLS only, services reach the broker over
mqtts:// with the local CA, plain listeners stay on loopback, ems-api and ems-graphql sit behind
the edge, each container mounts only what it needs, and the image runs as a user other than root.

Usage: compose_check.py DOCKER_COMPOSE REPO_DIR
"""
import pathlib
import re
import subprocess
import sys

import yaml

# Which services may mount each volume: the CA key only where certificates are made, keys only
# where they are used, the database not in the publisher.
MOUNTED_BY = {
    "ems-pki": {"certs"},
    "ems-ca": {"certs", "api", "listener", "publisher", "ocpp"},
    "ems-broker": {"broker"},
    "ems-broker-tls": {"certs", "broker"},
    "ems-edge-tls": {"certs", "edge"},
    "ems-db": {"api", "listener", "ocpp"},
    "ems-publisher": {"publisher"},
}


def published(port):
    """(host port, container port) of a `ports` entry, short or long syntax."""
    if isinstance(port, dict):
        return str(port.get("published")), str(port["target"])
    parts = str(port).split("/")[0].split(":")
    return parts[-2] if len(parts) > 1 else None, parts[-1]


def volumes(service):
    return {str(v).split(":")[0] if not isinstance(v, dict) else v["source"]
            for v in service.get("volumes", [])}


def main(docker_compose, repo):
    repo = pathlib.Path(repo)
    resolved = subprocess.run(
        [docker_compose, "--env-file", repo / ".env.example", "-f", repo / "docker-compose.yml",
         "config"], check=True, capture_output=True, text=True).stdout
    services = yaml.safe_load(resolved)["services"]
    problems = []

    # What the host reaches: the edge's HTTPS port and the broker's TLS port, nothing else.
    for name, service in services.items():
        for port in service.get("ports", []):
            target = published(port)[1]
            if (name, target) not in (("edge", "8443"), ("broker", "8883")):
                problems.append(f"{name} publishes port {target}, which is not HTTPS or MQTT/TLS")
    edge_env = services["edge"]["environment"]
    if not edge_env.get("EMS_EDGE_TLS_CERT") or not edge_env.get("EMS_EDGE_TLS_KEY"):
        problems.append("the edge has no certificate: its published port would be plain HTTP")
    if services["broker"]["environment"].get("EMS_BROKER_CERT_DIR") is None:
        problems.append("the broker's TLS listener has no certificate folder")
    template = (repo / "broker-config" / "mosquitto.conf.template").read_text()
    if not re.search(r"^listener @PORT@ 127\.0\.0\.1$", template, re.M):
        problems.append("the broker's plain listener is not bound to loopback")

    # Services reach the broker over TLS, checked against the local CA.
    for name, service in services.items():
        env = service.get("environment", {})
        if "EMS_MQTT_URL" in env:
            if not env["EMS_MQTT_URL"].startswith("mqtts://"):
                problems.append(f"{name} reaches the broker over {env['EMS_MQTT_URL']}")
            if not env.get("EMS_MQTT_CA_FILE"):
                problems.append(f"{name} has no EMS_MQTT_CA_FILE")

    # ems-api listens on the edge's loopback only.
    api = services["api"]
    if api.get("network_mode") != "service:edge" or \
            not api["environment"]["EMS_API_LISTEN"].startswith("127.0.0.1:"):
        problems.append("ems-api is not on the edge's loopback only")
    graphql = services["graphql"]
    if graphql.get("network_mode") != "service:edge" or \
            not graphql["environment"]["EMS_GRAPHQL_LISTEN"].startswith("127.0.0.1:") or \
            edge_env.get("EMS_GRAPHQL_LISTEN") != graphql["environment"]["EMS_GRAPHQL_LISTEN"]:
        problems.append("ems-graphql is not on the edge's loopback only, where the edge sends /graphql")

    # Each container mounts only what it needs.
    for name, service in services.items():
        for volume in sorted(volumes(service)):
            if name not in MOUNTED_BY.get(volume, ()):
                problems.append(f"{name} mounts {volume}")

    # The image runs its services as an unprivileged user.
    users = re.findall(r"^USER\s+(\S+)", (repo / "Dockerfile").read_text(), re.M)
    if not users or users[-1] in ("root", "0"):
        problems.append("the Dockerfile runs the services as root")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
