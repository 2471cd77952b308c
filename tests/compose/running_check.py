#!/usr/bin/python3
"""The compose tier's check of the running containers (tests/compose/compose_tier.sh): each runs
as the image's user ems, unprivileged and without added capabilities, and mounts exactly the
named volumes docker-compose.yml gives it (read-only where it says so), each one a volume that
tests/lint/compose_check.py's MOUNTED_BY lets that service mount: no host folder, no socket.

Usage: running_check.py PROJECT RESOLVED_COMPOSE_YML < `docker inspect` of the containers (JSON)
"""
import json
import pathlib
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "lint"))
from compose_check import MOUNTED_BY  # noqa: E402


def declared_mounts(service):
    """{target: (volume, read_only)} of a resolved service's `volumes` (short or long syntax)."""
    mounts = {}
    for v in service.get("volumes", []):
        if isinstance(v, dict):
            mounts[v["target"]] = (v["source"], bool(v.get("read_only")))
        else:
            parts = str(v).split(":")
            mounts[parts[1]] = (parts[0], len(parts) > 2 and "ro" in parts[2].split(","))
    return mounts


def main(project, resolved):
    services = yaml.safe_load(pathlib.Path(resolved).read_text())["services"]
    problems = []
    for c in json.load(sys.stdin):
        name = c["Config"]["Labels"]["com.docker.compose.service"]
        if c["Config"].get("User") != "ems":
            problems.append(f"{name} runs as user {c['Config'].get('User')!r}, not ems")
        host = c["HostConfig"]
        if host.get("Privileged"):
            problems.append(f"{name} is privileged")
        if host.get("CapAdd"):
            problems.append(f"{name} adds capabilities {host['CapAdd']}")
        actual = {}
        for m in c.get("Mounts", []):
            if m.get("Type") != "volume" or not m.get("Name", "").startswith(project + "_"):
                problems.append(f"{name} mounts {m.get('Source')} ({m.get('Type')}) at "
                                f"{m['Destination']}, which is not a volume of the project")
                continue
            actual[m["Destination"]] = (m["Name"][len(project) + 1:], not m.get("RW", True))
        expected = declared_mounts(services[name])
        if actual != expected:
            problems.append(f"{name} mounts {sorted(actual.items())}, "
                            f"docker-compose.yml says {sorted(expected.items())}")
        for volume, _ in actual.values():
            if name not in MOUNTED_BY.get(volume, ()):
                problems.append(f"{name} mounts {volume}, which compose_check.py does not allow")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
