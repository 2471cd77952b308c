#!/usr/bin/python3
"""Renders Home Assistant value templates as Home Assistant does, with Jinja2 (Debian's
python3-jinja2): `value_json` is the MQTT payload parsed as JSON, `value` its text, `this.state`
the sensor's current state. Used by tests/integration/home_assistant_test.cpp.

Usage: render_ha_templates.py IN.json OUT.json
IN: [{"template": "...", "payload": "...", "state": "..."}, ...]
OUT: the rendered strings, in order (or {"error": "..."} for a template that fails to render).
"""
import json
import sys

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    # Home Assistant renders in a sandbox; StrictUndefined makes a template that reads a missing
    # field fail here, as it makes Home Assistant log an error and leave the sensor unknown.
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    out = []
    for case in cases:
        try:
            value_json = json.loads(case["payload"])
        except ValueError:
            value_json = None
        variables = {"value": case["payload"], "value_json": value_json,
                     "this": {"state": case["state"]}}
        try:
            out.append(env.from_string(case["template"]).render(**variables))
        except Exception as e:  # noqa: BLE001 -- the test reports which template failed
            out.append({"error": f"{type(e).__name__}: {e}"})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
