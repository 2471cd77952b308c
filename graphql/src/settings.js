'use strict';
// Settings of ems-graphql, read as every ems process reads them (docs/configuration.md): an
// environment variable each, a .env file in the working directory when present (the real
// environment wins), and a --flag overriding both. Invalid values stop the process with one line
// naming the variable.
const fs = require('node:fs');

const OPTIONS = [
  { name: 'EMS_GRAPHQL_LISTEN', def: '127.0.0.1:8090', help: 'address the GraphQL service listens on' },
  { name: 'EMS_API_URL', def: 'http://127.0.0.1:8080', help: 'the REST API every field is resolved through', secretUserinfo: true },
  { name: 'EMS_LOG_LEVEL', def: 'info', help: 'debug, info, warn or error' },
  { name: 'EMS_GRAPHQL_MAX_DEPTH', def: '12', help: 'deepest field nesting a query may have' },
  { name: 'EMS_GRAPHQL_MAX_COST', def: '1000', help: 'most REST calls a query may need, estimated before it runs' },
  { name: 'EMS_GRAPHQL_API_TIMEOUT_MS', def: '10000', help: 'time one REST call may take' },
];

class ConfigError extends Error {
  constructor(variable, message) {
    super(`${variable}: ${message}`);
  }
}

const flagOf = (name) => name.replace(/^EMS_/, '').toLowerCase().replace(/_/g, '-');

function readEnvFile(path) {
  const out = {};
  let text;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return out;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (!line || line.startsWith('#') || eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

function helpText() {
  let out = 'Usage: ems-graphql [--flag=value ...]\n\n';
  out += 'GraphQL for smart-home clients, resolved through the ems REST API (docs/graphql.md).\n';
  out += 'Every setting is an environment variable (a .env file is read if present) and may be\n';
  out += 'overridden by its flag.\n\n';
  for (const o of OPTIONS) out += `  --${flagOf(o.name)} / ${o.name}\n      ${o.help} (default: ${o.def})\n`;
  return out;
}

function integer(values, name, min, max) {
  const text = values[name];
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < min || n > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, not '${text}'.`);
  }
  return n;
}

function hostPort(values, name) {
  const m = /^(.*):([0-9]{1,5})$/.exec(values[name]);
  if (!m || !m[1] || Number(m[2]) > 65535) {
    throw new ConfigError(name, `must be host:port, not '${values[name]}'.`);
  }
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}

// Settings from `env` (process.env), `argv` (flags) and the .env file at `envFile`; returns
// { help: true } for --help.
function loadSettings(env, argv, envFile = '.env') {
  const file = readEnvFile(envFile);
  const values = {};
  for (const o of OPTIONS) values[o.name] = env[o.name] ?? file[o.name] ?? o.def;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true, text: helpText() };
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'unexpected argument (see --help).');
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    const option = OPTIONS.find((o) => flagOf(o.name) === key);
    if (!option) throw new ConfigError(`--${key}`, 'unknown flag (see --help).');
    if (eq < 0 && i + 1 >= argv.length) throw new ConfigError(`--${key}`, 'needs a value.');
    values[option.name] = eq < 0 ? argv[++i] : arg.slice(eq + 1);
  }
  let api;
  try {
    api = new URL(values.EMS_API_URL);
  } catch {
    throw new ConfigError('EMS_API_URL', `is not a URL: '${values.EMS_API_URL}'.`);
  }
  if (api.protocol !== 'http:') throw new ConfigError('EMS_API_URL', 'must be an http:// URL (the API on its own network).');
  if (!['debug', 'info', 'warn', 'error'].includes(values.EMS_LOG_LEVEL)) {
    throw new ConfigError('EMS_LOG_LEVEL', `must be debug, info, warn or error, not '${values.EMS_LOG_LEVEL}'.`);
  }
  // Printed at start; a password in the API URL is masked.
  const describe = OPTIONS.map((o) => {
    let v = values[o.name];
    if (o.secretUserinfo && api.password) v = v.replace(`:${api.password}@`, ':***@');
    return `${o.name}=${v}`;
  }).join(' ');
  return {
    help: false,
    listen: hostPort(values, 'EMS_GRAPHQL_LISTEN'),
    apiUrl: api.href.replace(/\/$/, ''),
    logLevel: values.EMS_LOG_LEVEL,
    maxDepth: integer(values, 'EMS_GRAPHQL_MAX_DEPTH', 1, 100),
    maxCost: integer(values, 'EMS_GRAPHQL_MAX_COST', 1, 1000000),
    apiTimeoutMs: integer(values, 'EMS_GRAPHQL_API_TIMEOUT_MS', 100, 600000),
    describe,
  };
}

module.exports = { loadSettings, ConfigError };
