'use strict';
// Depth, cost and body limits: a query over a limit is refused before any of it runs (no REST
// call, no data); a body over 1 MiB is refused at the edge and by the service itself.
const test = require('node:test');
const assert = require('node:assert/strict');
const { stack, skip, gql, onlyError } = require('../test-support/stack');

function refusedBefore(answer, reason) {
  const e = onlyError(answer);
  assert.equal(e.extensions.code, 'BAD_USER_INPUT');
  assert.equal(e.extensions.reason, reason);
  assert.equal(answer.body.data, undefined);
  assert.equal(answer.body.extensions, undefined); // no restCalls: nothing ran
  return e;
}

test('a query nested deeper than 12 fields is refused', { skip }, async () => {
  // Cheap (pages of one), but 14 deep.
  const nested = 'site { devices(first: 1) { edges { node { site { devices(first: 1) { edges { node { site { devices(first: 1) { edges { node { id } } } } } } } } } } } }';
  const e = refusedBefore(await gql('alice', `{ device(id: "pv-a") { ${nested} } }`), 'MAX_DEPTH');
  assert.match(e.message, /14 deep; at most 12/);
  // Asked again (its checks remembered by the service): refused again.
  refusedBefore(await gql('alice', `{ device(id: "pv-a") { ${nested} } }`), 'MAX_DEPTH');
  // Fragments count as what they expand to.
  const viaFragment = `{ device(id: "pv-a") { ...d } } fragment d on Device { ${nested} }`;
  refusedBefore(await gql('alice', viaFragment), 'MAX_DEPTH');
  const ok = await gql('alice', '{ sites(first: 5) { edges { node { devices(first: 20) { edges { node { chargingSchedule { slots { start } } } } } } } } }');
  assert.equal(ok.body.errors, undefined);
});

test('a query that would fan out to thousands of REST calls is refused', { skip }, async () => {
  const fanOut = '{ sites(first: 100) { edges { node { devices(first: 100) { edges { node { series(metric: "power_w") { unit } } } } } } } }';
  const e = refusedBefore(await gql('admin', fanOut), 'MAX_COST');
  assert.match(e.message, /10101 calls of the REST API; at most 1000/);
  // Page sizes given in variables count with their values, checked on every request of the same
  // query text.
  const q = 'query($n: Int) { devices(first: $n) { edges { node { chargingSchedule { soc } } } } }';
  refusedBefore(await gql('admin', q, { n: 1000 }), 'MAX_COST');
  const small = await gql('admin', q, { n: 5 });
  assert.equal(small.body.errors, undefined);
  // Aliases of one cheap field add up as well.
  const aliases = `{ ${Array.from({ length: 1001 }, (_, i) => `a${i}: me { username }`).join(' ')} }`;
  refusedBefore(await gql('admin', aliases), 'MAX_COST');
});

test('a body over 1 MiB is refused with the JSON error of the API', { skip }, async () => {
  const body = JSON.stringify({ query: `{ me { username } } # ${'x'.repeat(1 << 20)}` });
  for (const url of [`${stack.edgeUrl}/graphql`, `${stack.graphqlDirectUrl}/graphql`]) {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal(res.status, 413, url);
    const answer = await res.json();
    assert.equal(answer.status, 'error');
    assert.equal(answer.message, 'The request body is larger than 1 MiB.');
  }
});
