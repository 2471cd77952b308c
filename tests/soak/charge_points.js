// Charge points of the chaos soak (tests/soak/soak_test.cpp), on ocpp-rpc in strict mode (every
// call and answer checked against the OCPP 1.6 JSON schemas). Each station of EMS_STATIONS
// (comma-separated `id:password`) connects to EMS_OCPP_URL, boots, then runs transactions back to back until
// SIGTERM: StartTransaction, MeterValues, StopTransaction, each call retried until answered, as a
// charger retries transaction messages; a dropped connection is reopened by ocpp-rpc.
//
// Output: one JSON line per StopTransaction answered, {"session_id", "energy_kwh"}, the ledger the
// soak compares with the stored sessions.
'use strict';

const { RPCClient } = require('ocpp-rpc');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let running = true;
process.on('SIGTERM', () => { running = false; });

// A call retried until answered (a timeout or a dropped connection is not an answer).
async function call(cli, method, params) {
  for (;;) {
    try {
      return await cli.call(method, params);
    } catch (e) {
      if (!running) throw e;
      await sleep(500);
    }
  }
}

async function station(id, password, n) {
  const cli = new RPCClient({
    endpoint: process.env.EMS_OCPP_URL,
    identity: id,
    password,
    protocols: ['ocpp1.6'],
    strictMode: true,
    callTimeoutMs: 15000,
    reconnect: true,
    maxReconnects: Infinity,
    backoff: { initialDelay: 200, maxDelay: 2000 },
  });
  for (;;) {
    try {
      await cli.connect();
      break;
    } catch (e) {
      await sleep(1000);
    }
  }
  await call(cli, 'BootNotification', { chargePointVendor: 'Soak', chargePointModel: 'S1' });
  let meter = 0;
  for (let k = 0; running; k++) {
    const start = meter;
    const started = await call(cli, 'StartTransaction', {
      connectorId: 1, idTag: 'SOAK', meterStart: start, timestamp: new Date().toISOString(),
    });
    const txId = started.transactionId;
    const energyWh = 100 + ((n * 37 + k * 11) % 900);
    meter = start + energyWh;
    await call(cli, 'MeterValues', {
      connectorId: 1,
      transactionId: txId,
      meterValue: [{
        timestamp: new Date().toISOString(),
        sampledValue: [{ value: String(start + energyWh / 2), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
      }],
    });
    await call(cli, 'StopTransaction', {
      transactionId: txId, meterStop: meter, timestamp: new Date().toISOString(), reason: 'EVDisconnected',
    });
    console.log(JSON.stringify({ session_id: `${id}-${txId}`, energy_kwh: energyWh / 1000 }));
    await sleep(1000);
  }
  await cli.close({ force: true }).catch(() => {});
}

Promise.all(process.env.EMS_STATIONS.split(',').map((s, n) => {
  const [id, password] = s.split(':');
  return station(id, password, n);
}))
  .then(() => process.exit(0))
  .catch((e) => { console.error(String(e)); process.exit(1); });
