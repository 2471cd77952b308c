'use strict';
// Queries of a smart-home client against the real stack (tests/graphql/graphql_test.cpp): two
// technicians on two sites (alice: site-a, bob: site-b), a viewer (vera: site-a) and the admin.
// Answers are checked against what the REST API tells the same user.
const test = require('node:test');
const assert = require('node:assert/strict');
const { stack, skip, login, gql, rest, onlyError } = require('../test-support/stack');

const ids = (connection) => connection.edges.map((e) => e.node.id);

test('me is the signed-in user', { skip }, async () => {
  const a = await gql('alice', '{ me { username role siteIds } }');
  assert.deepEqual(a.body.data.me, { username: 'alice', role: 'TECHNICIAN', siteIds: ['site-a'] });
  const v = await gql('vera', '{ me { role } }');
  assert.equal(v.body.data.me.role, 'VIEWER');
});

test('each user sees only their sites', { skip }, async () => {
  const q = '{ sites { edges { node { id name timezone deviceCount } } pageInfo { hasNextPage } } }';
  assert.deepEqual(ids((await gql('admin', q)).body.data.sites), ['site-a', 'site-b', 'site-m']);
  const alice = (await gql('alice', q)).body.data.sites;
  assert.deepEqual(alice.edges.map((e) => e.node), [{ id: 'site-a', name: 'Home A', timezone: 'UTC', deviceCount: 3 }]);
  assert.equal(alice.pageInfo.hasNextPage, false);
  assert.deepEqual(ids((await gql('bob', q)).body.data.sites), ['site-b']);
});

test('a hidden site answers exactly as a missing one: NOT_FOUND with the API sentence', { skip }, async () => {
  const hidden = await gql('alice', '{ site(id: "site-b") { name } }');
  const missing = await gql('alice', '{ site(id: "site-zz") { name } }');
  assert.equal(hidden.body.data.site, null);
  const h = onlyError(hidden);
  const m = onlyError(missing);
  assert.equal(h.extensions.code, 'NOT_FOUND');
  assert.equal(h.message, (await rest('alice', '/api/v1/sites/site-b')).body.message);
  assert.equal(h.message.replace('site-b', 'X'), m.message.replace('site-zz', 'X'));
  assert.deepEqual(h.path, ['site']);
  // The same for a device of the other site.
  const d = onlyError(await gql('bob', '{ device(id: "pv-a") { name } }'));
  assert.equal(d.extensions.code, 'NOT_FOUND');
  assert.equal(d.message, (await rest('bob', '/api/v1/devices/pv-a')).body.message);
});

test('devices page by page with Relay cursors, as the REST list has them', { skip }, async () => {
  const q = `query($after: String) { devices(first: 1, after: $after) {
    edges { cursor node { id siteId } } pageInfo { hasNextPage endCursor } } }`;
  const seen = [];
  let after = null;
  for (let page = 0; page < 10; page++) {
    const d = (await gql('alice', q, { after })).body.data.devices;
    assert.equal(d.edges.length, 1);
    seen.push(d.edges[0].node.id);
    assert.equal(d.pageInfo.endCursor, d.edges[0].cursor);
    if (!d.pageInfo.hasNextPage) break;
    after = d.pageInfo.endCursor;
  }
  const fleet = (await rest('alice', '/api/v1/devices')).body.items.map((d) => d.id);
  assert.deepEqual(seen, fleet);
  assert.deepEqual(seen, ['bat-a', 'car-a', 'pv-a']);
  // Any edge's cursor continues right after it.
  const all = (await gql('alice', '{ devices(first: 3) { edges { cursor node { id } } } }')).body.data.devices;
  const next = await gql('alice', q, { after: all.edges[0].cursor });
  assert.deepEqual(ids(next.body.data.devices), ['car-a']);
  // Filters: a type, a site; another user's site lists nothing, like an empty one.
  assert.deepEqual(ids((await gql('alice', '{ devices(type: EV) { edges { node { id } } } }')).body.data.devices), ['car-a']);
  assert.deepEqual(ids((await gql('admin', '{ devices(siteId: "site-b") { edges { node { id } } } }')).body.data.devices), ['pv-b']);
  assert.deepEqual(ids((await gql('bob', '{ devices(siteId: "site-a") { edges { node { id } } } }')).body.data.devices), []);
  // A cursor this service did not give out.
  assert.equal(onlyError(await gql('alice', q, { after: 'bogus' })).extensions.code, 'BAD_USER_INPUT');
  assert.equal(onlyError(await gql('alice', '{ devices(first: 0) { edges { cursor } } }')).extensions.code, 'BAD_USER_INPUT');
});

test('a device with its latest metrics, a series and its schedule', { skip }, async () => {
  const from = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
  const a = await gql('alice', `query($from: DateTime) { device(id: "pv-a") {
    id siteId type name properties lastSeen metrics { name value unit ts }
    series(metric: "power_w", from: $from, interval: RAW, agg: AVG) { deviceId metric unit interval agg points { ts value count } }
    chargingSchedule { soc } } }`, { from });
  const d = a.body.data.device;
  const r = (await rest('alice', '/api/v1/devices/pv-a')).body;
  assert.equal(d.type, 'SOLAR_PANEL');
  assert.equal(d.siteId, 'site-a');
  assert.deepEqual(d.properties, { rated_power_w: 5000 });
  assert.equal(d.lastSeen, r.last_seen);
  const power = d.metrics.find((m) => m.name === 'power_w');
  assert.deepEqual(power, { name: 'power_w', value: 1500, unit: 'W', ts: r.metrics.power_w.ts });
  assert.equal(d.chargingSchedule, null);
  const series = (await rest('alice', `/api/v1/devices/pv-a/metrics/power_w/series?from=${encodeURIComponent(from)}&interval=raw&agg=avg`)).body;
  assert.equal(d.series.interval, 'RAW');
  assert.equal(d.series.agg, 'AVG');
  assert.equal(d.series.unit, 'W');
  assert.equal(d.series.points.length, 7);
  assert.deepEqual(d.series.points, series.points);
  // The EV's schedule: its soc from the latest soc_pct.
  const ev = (await gql('vera', '{ device(id: "car-a") { type state chargingSchedule { deviceId soc isAtHome mode slots { start } } } }')).body.data.device;
  assert.equal(ev.type, 'EV');
  assert.equal(ev.state.at_home, true);
  assert.deepEqual(ev.chargingSchedule, { deviceId: 'car-a', soc: 0.4, isAtHome: true, mode: 'MANUAL', slots: [] });
  // An unknown metric: the API's 404 sentence.
  const bad = onlyError(await gql('alice', '{ device(id: "pv-a") { series(metric: "nope") { unit } } }'));
  assert.equal(bad.extensions.code, 'NOT_FOUND');
  assert.deepEqual(bad.path, ['device', 'series']);
});

test('energy summaries of a site and of the fleet are the REST figures', { skip }, async () => {
  const a = (await gql('alice', `{ energySummary(siteId: "site-a") { siteId producedW consumedW netW devicesReporting devicesStale storage { deviceId type capacityWh socPct storedWh } }
    fleetEnergySummary { sites producedW consumedW netW } }`)).body.data;
  const r = (await rest('alice', '/api/v1/sites/site-a/energy/summary')).body;
  assert.equal(a.energySummary.siteId, 'site-a');
  assert.equal(a.energySummary.producedW, r.produced_w);
  assert.equal(a.energySummary.consumedW, r.consumed_w);
  assert.equal(a.energySummary.netW, r.net_w);
  assert.equal(a.energySummary.devicesReporting + a.energySummary.devicesStale, 3);
  const battery = a.energySummary.storage.find((s) => s.deviceId === 'bat-a');
  assert.equal(battery.type, 'BATTERY');
  assert.equal(battery.socPct, 55);
  assert.equal(battery.capacityWh, 10000);
  assert.equal(a.fleetEnergySummary.sites, 1);
  const admin = (await gql('admin', '{ fleetEnergySummary { sites } }')).body.data;
  assert.equal(admin.fleetEnergySummary.sites, 3);
  assert.equal(onlyError(await gql('bob', '{ energySummary(siteId: "site-a") { netW } }')).extensions.code, 'NOT_FOUND');
});

test('sessions of the sites a user sees, filtered', { skip }, async () => {
  const q = 'query($f: SessionFilter) { sessions(filter: $f) { edges { node { sessionId stationId siteId status energyKwh cost currency startedAt endedAt } } } }';
  const alice = (await gql('alice', q)).body.data.sessions.edges.map((e) => e.node);
  assert.deepEqual(alice, [{
    sessionId: 'sess-a', stationId: 'st-a', siteId: 'site-a', status: 'COMPLETED', energyKwh: 18.42, cost: 5.71,
    currency: 'EUR', startedAt: '2026-11-21T08:00:00Z', endedAt: '2026-11-21T09:10:00Z',
  }]);
  const admin = (await gql('admin', q, { f: { siteId: 'site-b', status: 'COMPLETED' } })).body.data.sessions;
  assert.deepEqual(admin.edges.map((e) => e.node.sessionId), ['sess-b']);
  assert.deepEqual((await gql('admin', q, { f: { status: 'ACTIVE' } })).body.data.sessions.edges, []);
  assert.deepEqual((await gql('bob', q, { f: { siteId: 'site-a' } })).body.data.sessions.edges, []);
});

test('a site with its devices and their latest values takes 2 REST calls, not one per device', { skip }, async () => {
  const a = await gql('alice', `{ site(id: "site-a") { name devices(first: 20) { edges { node {
    id name metrics { name value unit ts } site { name timezone } } } } } }`);
  assert.equal(a.body.data.site.devices.edges.length, 3);
  for (const e of a.body.data.site.devices.edges) assert.equal(e.node.site.name, 'Home A');
  assert.equal(a.body.extensions.restCalls, 2);
  // The same device asked for twice in one request is fetched once.
  const twice = await gql('alice', '{ a: device(id: "pv-a") { name } b: device(id: "pv-a") { id } }');
  assert.equal(twice.body.extensions.restCalls, 1);
});

test('GET serves queries, not mutations', { skip }, async () => {
  const token = await login('alice');
  const url = `${stack.edgeUrl}/graphql?query=${encodeURIComponent('{ me { username } }')}`;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).data, { me: { username: 'alice' } });
  const m = `${stack.edgeUrl}/graphql?query=${encodeURIComponent('mutation { deleteDevice(id: "pv-a") }')}`;
  const refused = await fetch(m, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/graphql-response+json' } });
  assert.equal(refused.status, 405);
  assert.equal((await rest('alice', '/api/v1/devices/pv-a')).status, 200);
});

test('without a valid token: UNAUTHENTICATED with the API sentence; the session cookie works', { skip }, async () => {
  const none = onlyError(await gql(null, '{ me { username } }'));
  assert.equal(none.extensions.code, 'UNAUTHENTICATED');
  const res = await fetch(`${stack.edgeUrl}/api/v1/me`);
  assert.equal(none.message, (await res.json()).message);
  const forged = await fetch(`${stack.edgeUrl}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer not.a.token' },
    body: JSON.stringify({ query: '{ me { username } }' }),
  });
  assert.equal((await forged.json()).errors[0].extensions.code, 'UNAUTHENTICATED');
  const cookie = await fetch(`${stack.edgeUrl}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: `theme=dark; ems_session=${await login('bob')}` },
    body: JSON.stringify({ query: '{ me { username } }' }),
  });
  assert.deepEqual((await cookie.json()).data, { me: { username: 'bob' } });
});
