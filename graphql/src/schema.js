'use strict';
// The schema (graphql/schema.graphql, the one committed SDL) and its resolvers. Every resolver
// goes through the REST API with the caller's credentials (rest.js); field names are the REST
// names in camelCase, so a field without a resolver of its own reads the REST answer's
// snake_case key (defaultField). Enums are the REST values in upper case, intervals named as
// below (docs/graphql.md).
const fs = require('node:fs');
const path = require('node:path');
const { buildSchema, GraphQLError } = require('graphql');
const { seg } = require('./rest');

const SDL_PATH = path.join(__dirname, '..', 'schema.graphql');

const INTERVALS = { RAW: 'raw', M1: '1m', M15: '15m', H1: '1h', D1: '1d', W1: '1w', MO1: '1mo' };
const INTERVAL_NAMES = Object.fromEntries(Object.entries(INTERVALS).map(([k, v]) => [v, k]));

const upper = (v) => (typeof v === 'string' ? v.toUpperCase() : v);
const lower = (v) => (typeof v === 'string' ? v.toLowerCase() : v);

// A field's value from a REST object: its own name, else the snake_case REST name.
function defaultField(source, _args, _ctx, info) {
  if (source === null || typeof source !== 'object') return undefined;
  const name = info.fieldName;
  return name in source ? source[name] : source[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

// Connection cursors: the REST cursor of the page an item was read from and how many items of
// that page come before the next one. Opaque to clients.
const encodeCursor = (rest, skip) => Buffer.from(JSON.stringify([rest, skip])).toString('base64url');

function decodeCursor(after) {
  try {
    const [rest, skip] = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if ((rest === null || typeof rest === 'string') && Number.isInteger(skip) && skip >= 0) return { rest, skip };
  } catch {
    // Falls through to the error below.
  }
  throw new GraphQLError("Argument 'after' is not a cursor this service gave out.", { extensions: { code: 'BAD_USER_INPUT' } });
}

// A Relay connection over a REST list route (its `limit` / `cursor` / `next_cursor`). Each item
// is primed as what GET `itemPath(item)` answers.
async function connection(api, route, params, first, after, itemPath) {
  if (first !== undefined && first !== null && (first < 1 || first > 1000)) {
    throw new GraphQLError("Argument 'first' must be an integer from 1 to 1000.", { extensions: { code: 'BAD_USER_INPUT' } });
  }
  const n = first ?? 100;
  const { rest, skip } = after ? decodeCursor(after) : { rest: null, skip: 0 };
  const page = await api.get(route, { ...params, limit: skip + n, cursor: rest });
  const items = page.items.slice(skip);
  if (itemPath) for (const item of items) api.prime(itemPath(item), item);
  const edges = items.map((node, i) => ({ node, cursor: encodeCursor(rest, skip + i + 1) }));
  // The last item of a page continues where the REST page does.
  if (page.next_cursor && edges.length) edges[edges.length - 1].cursor = encodeCursor(page.next_cursor, 0);
  return {
    edges,
    pageInfo: { hasNextPage: Boolean(page.next_cursor), endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}

const sitePath = (id) => `/api/v1/sites/${seg(id)}`;
const devicePath = (id) => `/api/v1/devices/${seg(id)}`;
const schedulePath = (id) => `${devicePath(id)}/charging-schedule`;

function deviceBody(input) {
  const body = { type: lower(input.type), name: input.name, properties: input.properties };
  if (input.id !== undefined && input.id !== null) body.id = input.id;
  return body;
}

// A schedule command (PUT the schedule, or POST one of its actions); answers the new schedule.
async function scheduleCommand(api, method, deviceId, body, action) {
  const view = await api.send(method, action ? `${schedulePath(deviceId)}/${action}` : schedulePath(deviceId), body);
  api.prime(schedulePath(deviceId), view);
  return view;
}

const resolvers = {
  Query: {
    me: (_, __, { api }) => api.get('/api/v1/me'),
    sites: (_, { first, after }, { api }) => connection(api, '/api/v1/sites', {}, first, after, (s) => sitePath(s.id)),
    site: (_, { id }, { api }) => api.get(sitePath(id)),
    devices: (_, { siteId, type, first, after }, { api }) =>
      connection(api, '/api/v1/devices', { site_id: siteId, type: lower(type) }, first, after, (d) => devicePath(d.id)),
    device: (_, { id }, { api }) => api.get(devicePath(id)),
    energySummary: (_, { siteId }, { api }) => api.get(`${sitePath(siteId)}/energy/summary`),
    fleetEnergySummary: (_, __, { api }) => api.get('/api/v1/energy/summary'),
    sessions: (_, { filter, first, after }, { api }) => {
      const f = filter || {};
      const params = {
        site_id: f.siteId, station_id: f.stationId, vehicle_id: f.vehicleId, status: lower(f.status), from: f.from, to: f.to,
      };
      return connection(api, '/api/v1/sessions', params, first, after, (s) => `/api/v1/sessions/${seg(s.session_id)}`);
    },
  },
  Mutation: {
    registerDevice: async (_, { siteId, input }, { api }) => {
      const device = await api.send('POST', `${sitePath(siteId)}/devices`, deviceBody(input));
      api.prime(devicePath(device.id), device);
      return device;
    },
    updateDevice: async (_, { id, input }, { api }) => {
      const device = await api.send('PUT', devicePath(id), deviceBody(input));
      api.prime(devicePath(device.id), device);
      return device;
    },
    deleteDevice: async (_, { id }, { api }) => {
      await api.send('DELETE', devicePath(id));
      return id;
    },
    setChargingSchedule: (_, { deviceId, input }, { api }) => {
      const body = {};
      if (input.slots) body.slots = input.slots.map((s) => ({ start: s.start, end: s.end }));
      if (input.targetSoc !== undefined && input.targetSoc !== null) body.target_soc = input.targetSoc;
      if (input.readyBy !== undefined && input.readyBy !== null) body.ready_by = input.readyBy;
      return scheduleCommand(api, 'PUT', deviceId, body);
    },
    pauseCharging: (_, { deviceId }, { api }) => scheduleCommand(api, 'POST', deviceId, undefined, 'pause'),
    resumeCharging: (_, { deviceId }, { api }) => scheduleCommand(api, 'POST', deviceId, undefined, 'resume'),
    overrideCharging: (_, { deviceId }, { api }) => scheduleCommand(api, 'POST', deviceId, undefined, 'override'),
    setAtHome: (_, { deviceId, isAtHome }, { api }) => api.send('PUT', `${devicePath(deviceId)}/state`, { is_at_home: isAtHome }),
  },
  User: { role: (u) => upper(u.role) },
  Site: {
    devices: (site, { type, first, after }, { api }) =>
      connection(api, '/api/v1/devices', { site_id: site.id, type: lower(type) }, first, after, (d) => devicePath(d.id)),
    energySummary: (site, _, { api }) => api.get(`${sitePath(site.id)}/energy/summary`),
  },
  Device: {
    type: (d) => upper(d.type),
    site: (d, _, { api }) => api.get(sitePath(d.site_id)),
    properties: (d) => d.properties || {},
    state: (d) => d.state || {},
    metrics: (d) =>
      Object.entries(d.metrics || {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, m]) => ({ name, value: m.value, unit: m.unit, ts: m.ts })),
    series: (d, { metric, from, to, interval, agg }, { api }) =>
      api.get(`${devicePath(d.id)}/metrics/${seg(metric)}/series`, { from, to, interval: INTERVALS[interval], agg: lower(agg) }),
    // Only EVs have a schedule: other devices answer null without asking the API.
    chargingSchedule: (d, _, { api }) => (d.type === 'ev' ? api.get(schedulePath(d.id)) : null),
  },
  Series: { interval: (s) => INTERVAL_NAMES[s.interval], agg: (s) => upper(s.agg) },
  Storage: { type: (s) => upper(s.type) },
  Session: { status: (s) => upper(s.status) },
  ChargingSchedule: { mode: (s) => upper(s.mode) },
  AtHome: { chargingSchedule: (a, _, { api }) => api.get(schedulePath(a.device_id)) },
};

// The schema of schema.graphql with the resolvers above; a resolver for a field the SDL lacks is
// a programming error caught at start.
function makeSchema() {
  const schema = buildSchema(fs.readFileSync(SDL_PATH, 'utf8'));
  for (const [typeName, fieldResolvers] of Object.entries(resolvers)) {
    const fieldsOfType = schema.getType(typeName).getFields();
    for (const [field, resolve] of Object.entries(fieldResolvers)) {
      if (!fieldsOfType[field]) throw new Error(`resolver for unknown field ${typeName}.${field}`);
      fieldsOfType[field].resolve = resolve;
    }
  }
  return schema;
}

module.exports = { makeSchema, defaultField, SDL_PATH };
