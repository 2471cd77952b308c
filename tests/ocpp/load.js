// OCPP load for bench/ocpp_bench.cpp: EMS_LOAD_CHARGERS charge points (ocpp-rpc, strict mode
// off: the load should measure ems-ocpp, not the schema validator), stations
// `${EMS_LOAD_PREFIX}${i}` sharing EMS_PASSWORD, connect and boot, then each sends one
// MeterValues (power and the import register, timestamped now) every EMS_LOAD_PERIOD_S seconds,
// spread evenly over the period, for EMS_LOAD_SECONDS. Every round, the first station's register
// carries the round number and the time until GET /api/v1/devices/{it}/metrics shows it
// (EMS_API_URL, EMS_API_TOKEN) is the MeterValues → stored latency.
//
// Prints one JSON line: connected, connect_seconds, sent, answered, failed, answer_ms {p50, p99},
// stored_ms {p50, p99, max, samples}.
'use strict';

const { RPCClient } = require('ocpp-rpc');

const n = Number(process.env.EMS_LOAD_CHARGERS || 1000);
const period = Number(process.env.EMS_LOAD_PERIOD_S || 10) * 1000;
const duration = Number(process.env.EMS_LOAD_SECONDS || 60) * 1000;
const prefix = process.env.EMS_LOAD_PREFIX || 'load-';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (values, p) => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function connectAll() {
  const clients = [];
  const started = Date.now();
  // A few handshakes at a time: each costs ems-ocpp a slow password hash.
  for (let i = 0; i < n; i += 16) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 16); j++) {
      const cli = new RPCClient({
        endpoint: process.env.EMS_OCPP_URL,
        identity: `${prefix}${j}`,
        password: process.env.EMS_PASSWORD,
        protocols: ['ocpp1.6'],
        strictMode: false,
        callTimeoutMs: 30000,
      });
      batch.push(cli.connect().then(() => cli.call('BootNotification',
        { chargePointVendor: 'load', chargePointModel: 'sim' })).then(() => cli));
    }
    clients.push(...await Promise.all(batch));
  }
  return { clients, seconds: (Date.now() - started) / 1000 };
}

async function storedAfter(station, value, sentAt) {
  const url = `${process.env.EMS_API_URL}/api/v1/devices/${station}/metrics`;
  const headers = { Authorization: `Bearer ${process.env.EMS_API_TOKEN}` };
  while (Date.now() - sentAt < 30000) {
    const body = await (await fetch(url, { headers })).json();
    const energy = (body.items || []).find((m) => m.name === 'energy_wh');
    if (energy && energy.value === value) return Date.now() - sentAt;
    await sleep(10);
  }
  return null;
}

async function main() {
  const { clients, seconds } = await connectAll();
  const answerMs = [];
  const storedMs = [];
  let sent = 0;
  let failed = 0;
  const end = Date.now() + duration;
  const rounds = [];
  clients.forEach((cli, i) => {
    rounds.push((async () => {
      await sleep((period * i) / clients.length);
      for (let round = 1; Date.now() < end; round++) {
        const next = Date.now() + period;
        const value = i === 0 ? round : 1000 * round + (i % 1000);
        const params = {
          connectorId: 1,
          meterValue: [{
            timestamp: new Date().toISOString(),
            sampledValue: [
              { value: String(value), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
              { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
            ],
          }],
        };
        const at = Date.now();
        sent++;
        try {
          await cli.call('MeterValues', params);
          answerMs.push(Date.now() - at);
          if (i === 0) {
            const ms = await storedAfter(cli.identity, value, at);
            if (ms !== null) storedMs.push(ms);
          }
        } catch (e) {
          failed++;
        }
        await sleep(Math.max(0, next - Date.now()));
      }
    })());
  });
  await Promise.all(rounds);
  await Promise.all(clients.map((c) => c.close()));
  console.log(JSON.stringify({
    connected: clients.length,
    connect_seconds: seconds,
    sent,
    answered: answerMs.length,
    failed,
    answer_ms: { p50: pct(answerMs, 50), p99: pct(answerMs, 99) },
    stored_ms: { p50: pct(storedMs, 50), p99: pct(storedMs, 99), max: pct(storedMs, 100), samples: storedMs.length },
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
