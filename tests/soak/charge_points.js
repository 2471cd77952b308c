// Charge points of the chaos soak (tests/soak/soak_test.cpp), on ocpp-rpc in strict mode (every
// call and answer checked against the OCPP 1.6 JSON schemas). Each station of EMS_STATIONS
// (comma-separated `id:password`) connects to EMS_OCPP_URL, boots, then runs transactions back to back until
// SIGTERM: StartTransaction, MeterValues, StopTransaction, each call retried until answered, as a
// charger retries transaction messages; a dropped connection is reopened by ocpp-rpc.
//
// Output: one JSON line per StopTransaction answered, {"session_id", "energy_kwh", "at"} (`at`:
// when the answer came, ms since the epoch), the ledger the soak compares with the stored sessions.
'use strict';

const { RPCClient } = require('ocpp-rpc');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let running = true;
process.on('SIGTERM', () => { running = false; });
// Keeps the process alive while every station waits on a promise alone.
const keepalive = setInterval(() => {}, 1000);

async function station(id, password, n) {
  let cli = null;
  // A connection, booted; opened again after any failure (ems-ocpp killed, frozen or restarted).
  const open = async () => {
    for (;;) {
      const c = new RPCClient({
        endpoint: process.env.EMS_OCPP_URL,
        identity: id,
        password,
        protocols: ['ocpp1.6'],
        strictMode: true,
        callTimeoutMs: 15000,
        reconnect: false,
      });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.call('BootNotification', { chargePointVendor: 'Soak', chargePointModel: 'S1' });
        return c;
      } catch (e) {
        c.close({ force: true }).catch(() => {});
        if (!running) throw e;
        await sleep(1000);
      }
    }
  };
  // A call retried until answered (a timeout or a dropped connection is not an answer).
  const call = async (method, params) => {
    for (;;) {
      try {
        if (!cli) cli = await open();
        return await cli.call(method, params);
      } catch (e) {
        if (!running) throw e;
        if (cli) cli.close({ force: true }).catch(() => {});
        cli = null;
        await sleep(500);
      }
    }
  };
  let meter = 0;
  for (let k = 0; running; k++) {
    const start = meter;
    const started = await call('StartTransaction', {
      connectorId: 1, idTag: 'SOAK', meterStart: start, timestamp: new Date().toISOString(),
    });
    const txId = started.transactionId;
    const energyWh = 100 + ((n * 37 + k * 11) % 900);
    meter = start + energyWh;
    await call('MeterValues', {
      connectorId: 1,
      transactionId: txId,
      meterValue: [{
        timestamp: new Date().toISOString(),
        sampledValue: [{ value: String(start + energyWh / 2), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
      }],
    });
    await call('StopTransaction', {
      transactionId: txId, meterStop: meter, timestamp: new Date().toISOString(), reason: 'EVDisconnected',
    });
    console.log(JSON.stringify({ session_id: `${id}-${txId}`, energy_kwh: energyWh / 1000, at: Date.now() }));
    await sleep(1000);
  }
  if (cli) await cli.close({ force: true }).catch(() => {});
}

Promise.all(process.env.EMS_STATIONS.split(',').map((s, n) => {
  const [id, password] = s.split(':');
  return station(id, password, n);
}))
  .then(() => { clearInterval(keepalive); process.exit(0); })
  .catch((e) => { console.error(String(e)); process.exit(1); });
