'use strict';
// A site with 20 devices and their latest values: one GraphQL query against the REST calls it
// stands for (BENCHMARKS.md, GraphQL). Runs against a stack started by ./run.sh, from the
// repository root, reading its .env (admin password, ports, the publisher's broker password):
//
//   node bench/graphql_bench.js [seconds per case=5] [concurrent clients=8]
//
// Prepares site `bench-gql` with 20 devices (REST, as the admin) and one telemetry message each
// (mosquitto_pub as ems-publisher, so every device has latest values), then for each case runs
// the clients in closed loops over keep-alive connections for the given time, against ems-api
// and ems-graphql directly (the edge's per-client rate limits would measure nginx's limiter):
// operations/s, p50 and p99 of one operation (all its calls).
const http = require('node:http');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const env = { ...Object.fromEntries(fs.readFileSync('.env', 'utf8').split('\n')
  .filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])), ...process.env };
const seconds = Number(process.argv[2] || 5);
const clients = Number(process.argv[3] || 8);
const api = new URL(`http://${env.EMS_API_LISTEN || '127.0.0.1:8080'}`);
const graphql = new URL(`http://${env.EMS_GRAPHQL_LISTEN || '127.0.0.1:8090'}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const SITE = 'bench-gql';
const DEVICES = 20;

function request(base, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const h = { ...headers, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}) };
    const req = http.request({ host: base.hostname, port: base.port, method, path, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function prepare() {
  const login = await request(api, 'POST', '/api/v1/auth/login', {}, { username: env.EMS_ADMIN_USER || 'admin', password: env.EMS_ADMIN_PASSWORD });
  if (login.status !== 200) throw new Error(`login: ${login.text}`);
  const auth = { Authorization: `Bearer ${JSON.parse(login.text).token}` };
  await request(api, 'POST', '/api/v1/sites', auth, { id: SITE, name: 'GraphQL bench' });
  const types = [['solar_panel', { rated_power_w: 4000 }], ['battery', { capacity_wh: 10000, max_charge_w: 3000, max_discharge_w: 3000 }],
    ['appliance', { average_power_w: 500 }], ['heat_pump', { rated_power_w: 3000 }]];
  for (let i = 0; i < DEVICES; i++) {
    const [type, properties] = types[i % types.length];
    await request(api, 'POST', `/api/v1/sites/${SITE}/devices`, auth, { id: `${SITE}-${i}`, type, name: `Device ${i}`, properties });
    const sign = type === 'solar_panel' || type === 'battery' ? 1 : -1;
    execFileSync('mosquitto_pub', ['-p', env.EMS_BROKER_PORT || '1883', '-u', 'ems-publisher', '-P', env.EMS_PUBLISHER_MQTT_PASSWORD,
      '-q', '1', '-t', `${env.EMS_TOPIC_PREFIX || 'ems/v1'}/sites/${SITE}/devices/${SITE}-${i}/telemetry`,
      '-m', JSON.stringify({ ts: new Date().toISOString(), metrics: { power_w: sign * (100 + i) } })]);
  }
  return auth;
}

// Closed loops of `clients` for `seconds`: operations/s, p50 and p99 in ms.
async function measure(operation) {
  const latencies = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      await operation();
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rate: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

function check(answer, what) {
  if (answer.status !== 200) throw new Error(`${what} answered ${answer.status}: ${answer.text}`);
  return answer;
}

async function main() {
  const auth = await prepare();
  const query = `{ site(id: "${SITE}") { name devices(first: ${DEVICES}) { edges { node { id name type metrics { name value unit ts } } } } } }`;
  const gql = () => request(graphql, 'POST', '/graphql', auth, { query }).then((a) => check(a, 'GraphQL'));
  const first = JSON.parse((await gql()).text);
  const withValues = first.data.site.devices.edges.filter((e) => e.node.metrics.some((m) => m.name === 'power_w' && m.value !== null));
  if (withValues.length !== DEVICES) throw new Error(`only ${withValues.length} devices have a power_w value yet`);
  const list = `/api/v1/sites/${SITE}/devices?limit=${DEVICES}`;
  const cases = [
    ['GraphQL: site + 20 devices with latest values (1 query, 2 REST calls inside)', gql],
    ['REST: the same 2 calls, one after the other', async () => {
      check(await request(api, 'GET', `/api/v1/sites/${SITE}`, auth), 'site');
      check(await request(api, 'GET', list, auth), 'devices');
    }],
    ['REST: the device list alone (1 call)', async () => check(await request(api, 'GET', list, auth), 'devices')],
    ['GraphQL: { __typename } (no REST call: the service alone)', () => request(graphql, 'POST', '/graphql', auth, { query: '{ __typename }' }).then((a) => check(a, 'GraphQL'))],
  ];
  console.log(`${seconds} s per case, ${clients} concurrent clients, Node.js ${process.version}`);
  console.log(['case', 'ops/s', 'p50 ms', 'p99 ms'].join('\t'));
  for (const [name, op] of cases) {
    const r = await measure(op);
    console.log(`${name}\t${r.rate.toFixed(0)}\t${r.p50.toFixed(2)}\t${r.p99.toFixed(2)}`);
  }
  agent.destroy();
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
