// A charge point for the ems-ocpp integration tests (tests/integration/ocpp_test.cpp), built on
// ocpp-rpc: an OCPP library this project did not write, in strict mode, so every call it makes
// and every answer and call it receives is checked against the official OCPP 1.6 JSON schemas.
//
//   node charge_point.js SCENARIO
//
// Settings from the environment: EMS_OCPP_URL (ws://host:port/ocpp), EMS_STATION,
// EMS_PASSWORD, EMS_ID_TAG (the EV's tag), EMS_SIGNAL_DIR (a folder the test and this script
// coordinate through: the script waits for files the test creates there).
//
// Output: one JSON object a line, {"step": ..., ...}, for the test to read; exit code 0 when every
// expectation of the scenario held, 1 with {"step": "failed", "error": ...} otherwise.
'use strict';

const fs = require('fs');
const path = require('path');
const WebSocket = require('ws');
const { RPCClient } = require('ocpp-rpc');

const env = (name) => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const url = () => env('EMS_OCPP_URL');
const station = () => env('EMS_STATION');
const print = (step, fields = {}) => console.log(JSON.stringify({ step, ...fields }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const expect = (cond, what) => {
  if (!cond) throw new Error(`expected ${what}`);
};
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString();

// Waits until the test creates $EMS_SIGNAL_DIR/name.
async function signal(name) {
  const file = path.join(env('EMS_SIGNAL_DIR'), name);
  for (let i = 0; i < 1200; i++) {
    if (fs.existsSync(file)) return;
    await sleep(50);
  }
  throw new Error(`no signal ${name}`);
}

function client(extra = {}) {
  const cli = new RPCClient({
    endpoint: url(),
    identity: station(),
    password: env('EMS_PASSWORD'),
    protocols: ['ocpp1.6'],
    strictMode: true,
    callTimeoutMs: 10000,
    backoff: { initialDelay: 200, maxDelay: 1000 },
    ...extra,
  });
  cli.on('strictValidationFailure', (e) => {
    print('failed', { error: `schema violation: ${e.error && e.error.message}` });
    process.exit(1);
  });
  return cli;
}

async function boot(cli) {
  const answer = await cli.call('BootNotification', {
    chargePointVendor: 'Elecq',
    chargePointModel: 'AU101',
    chargePointSerialNumber: 'SN-0042',
    firmwareVersion: '1.4.7',
  });
  expect(answer.status === 'Accepted', `boot Accepted, got ${JSON.stringify(answer)}`);
  print('booted', answer);
  return answer;
}

// The whole transaction: boot, status, authorize, start, meter values, stop and its retry.
async function transaction() {
  const cli = client();
  await cli.connect();
  const booted = await boot(cli);
  expect(booted.interval === 300, 'heartbeat interval 300');
  const hb = await cli.call('Heartbeat', {});
  expect(Math.abs(Date.parse(hb.currentTime) - Date.now()) < 60000, 'currentTime now');
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
  const good = await cli.call('Authorize', { idTag: env('EMS_ID_TAG') });
  const bad = await cli.call('Authorize', { idTag: 'stranger' });
  print('authorized', { good: good.idTagInfo.status, bad: bad.idTagInfo.status });
  // The charger was offline for an hour: its queued messages carry their own times.
  const start = { connectorId: 1, idTag: env('EMS_ID_TAG'), meterStart: 1000, timestamp: iso(3600000) };
  const started = await cli.call('StartTransaction', start);
  print('started', started);
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  const meter = {
    connectorId: 1,
    transactionId: started.transactionId,
    meterValue: [{
      timestamp: iso(1800000),
      sampledValue: [
        { value: '6.0', measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic' },
        { value: '3600', measurand: 'Power.Active.Import', unit: 'W', phase: 'L1' },
        { value: '3.8', measurand: 'Power.Active.Import', unit: 'kW', phase: 'L2' },
        { value: '16.2', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
        { value: '231', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
        { value: '61', measurand: 'SoC', unit: 'Percent', location: 'EV' },
      ],
    }],
  };
  await cli.call('MeterValues', meter);
  await cli.call('MeterValues', meter);  // sent twice: stored once
  const stop = {
    transactionId: started.transactionId,
    idTag: env('EMS_ID_TAG'),
    meterStop: 11000,
    timestamp: iso(600000),
    reason: 'EVDisconnected',
    transactionData: [{
      timestamp: iso(600000),
      sampledValue: [{ value: '11000', measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Transaction.End' }],
    }],
  };
  const stopped = await cli.call('StopTransaction', stop);
  const again = await cli.call('StopTransaction', stop);  // the charger did not see the answer
  print('stopped', { first: stopped, again });
  const vendor = await cli.call('DataTransfer', { vendorId: 'com.example', messageId: 'x', data: '1' });
  print('data-transfer', vendor);
  await cli.close();
}

// What a plain WebSocket client may send: broken frames, unknown actions, an oversized frame.
async function raw() {
  const auth = Buffer.from(`${station()}:${env('EMS_PASSWORD')}`).toString('base64');
  const ws = new WebSocket(`${url()}/${station()}`, ['ocpp1.6'],
    { headers: { Authorization: `Basic ${auth}` }, maxPayload: 1 << 20 });
  const answers = [];
  let waiting = null;
  ws.on('message', (data) => {
    answers.push(JSON.parse(data.toString()));
    if (waiting) waiting();
  });
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  const exchange = async (text) => {
    const before = answers.length;
    ws.send(text);
    for (let i = 0; i < 100 && answers.length === before; i++) {
      await new Promise((r) => { waiting = r; setTimeout(r, 50); });
    }
    expect(answers.length > before, `an answer to ${text.slice(0, 40)}`);
    return answers[answers.length - 1];
  };
  print('not-json', { answer: await exchange('this is not json') });
  print('no-id', { answer: await exchange('[2]') });
  print('bad-envelope', { answer: await exchange('[2,"m1","Heartbeat"]') });
  print('unknown-action', { answer: await exchange('[2,"m2","FooBar",{}]') });
  print('bad-payload', { answer: await exchange('[2,"m3","StartTransaction",{"connectorId":1}]') });
  print('still-open', { answer: await exchange('[2,"m4","Heartbeat",{}]') });
  ws.send(JSON.stringify([2, 'm5', 'DataTransfer', { vendorId: 'x', data: 'a'.repeat(70 * 1024) }]));
  print('oversized', { close: await closed });
}

// A charger that connects again while its old connection is still open (it did not notice the
// old one die): the new connection replaces the old, which is closed.
async function replace() {
  const first = client({ reconnect: false });
  const firstClosed = new Promise((resolve) => first.once('close', (e) => resolve(e.code)));
  await first.connect();
  await boot(first);
  const second = client({ reconnect: false });
  await second.connect();
  print('old-closed', { code: await firstClosed });
  const hb = await second.call('Heartbeat', {});
  print('new-answers', hb);
  await second.close();
}

// Handshakes that must be refused before the upgrade, and one that must succeed.
async function handshake() {
  const attempt = (identity, password, protocols) => new Promise((resolve) => {
    const headers = {};
    if (password !== null) {
      headers.Authorization = `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}`;
    }
    const ws = new WebSocket(`${url()}/${identity}`, protocols, { headers });
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.on('open', () => { resolve(`open:${ws.protocol}`); ws.close(); });
    ws.on('error', (e) => resolve(`error:${e.message}`));
  });
  print('wrong-password', { status: await attempt(station(), 'wrong-password', ['ocpp1.6']) });
  print('unknown-station', { status: await attempt('no-such-station', env('EMS_PASSWORD'), ['ocpp1.6']) });
  print('no-credentials', { status: await attempt(station(), null, ['ocpp1.6']) });
  print('no-subprotocol', { status: await attempt(station(), env('EMS_PASSWORD'), []) });
  print('other-subprotocol', { status: await attempt(station(), env('EMS_PASSWORD'), ['ocpp2.0.1']) });
  print('good', { status: await attempt(station(), env('EMS_PASSWORD'), ['ocpp2.0.1', 'ocpp1.6']) });
}

// A transaction across a SIGKILL of ems-ocpp: the stop is sent while the broker is down (so it
// cannot be acknowledged, and must not be answered), ems-ocpp dies with it pending, and the
// charger sends it again once it is connected again.
async function killed() {
  const cli = client();
  await cli.connect();
  await boot(cli);
  const start = { connectorId: 1, idTag: env('EMS_ID_TAG'), meterStart: 5000, timestamp: iso(1200000) };
  const started = await cli.call('StartTransaction', start);
  print('started', started);
  await signal('broker-down');
  const stop = { transactionId: started.transactionId, meterStop: 12500, timestamp: iso(60000) };
  let answered = null;
  try {
    answered = await cli.call('StopTransaction', stop, { callTimeoutMs: 3000 });
  } catch (e) {
    print('stop-unanswered', { error: e.message });
  }
  expect(answered === null, `no answer while the broker is down, got ${JSON.stringify(answered)}`);
  const reopened = new Promise((resolve) => cli.once('open', resolve));
  print('waiting-for-restart');
  await reopened;
  print('reconnected');
  const stopped = await cli.call('StopTransaction', stop);
  print('stopped', stopped);
  const next = await cli.call('StartTransaction', { ...start, meterStart: 12500, timestamp: iso(1000) });
  print('started-again', next);
  expect(next.transactionId !== started.transactionId, 'a new transaction id');
  await cli.close();
}

// Boots and records the charging profiles ems-ocpp sends, until the test says it is done.
async function profiles() {
  const cli = client();
  for (const action of ['SetChargingProfile', 'ClearChargingProfile']) {
    cli.handle(action, ({ params }) => {
      print('received', { action, params });
      return { status: 'Accepted' };
    });
  }
  await cli.connect();
  await boot(cli);
  await signal('done');
  await cli.close();
}

// Boots, accepts remote start and stop, and starts and stops the transactions they ask for.
async function remote() {
  const cli = client();
  cli.handle('RemoteStartTransaction', ({ params }) => {
    print('remote-start', params);
    setTimeout(async () => {
      const started = await cli.call('StartTransaction', {
        connectorId: params.connectorId || 1, idTag: params.idTag, meterStart: 0, timestamp: iso(0),
      });
      print('started', started);
    }, 100);
    return { status: 'Accepted' };
  });
  cli.handle('RemoteStopTransaction', ({ params }) => {
    print('remote-stop', params);
    setTimeout(async () => {
      const stopped = await cli.call('StopTransaction', {
        transactionId: params.transactionId, meterStop: 2000, timestamp: iso(0), reason: 'Remote',
      });
      print('stopped', stopped);
    }, 100);
    return { status: 'Accepted' };
  });
  await cli.connect();
  await boot(cli);
  await signal('done');
  await cli.close();
}

const scenarios = { transaction, raw, replace, handshake, killed, profiles, remote };
const scenario = scenarios[process.argv[2]];
if (!scenario) {
  console.error(`usage: node charge_point.js ${Object.keys(scenarios).join('|')}`);
  process.exit(2);
}
scenario().then(() => process.exit(0), (e) => {
  print('failed', { error: e.message });
  process.exit(1);
});
