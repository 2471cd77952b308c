'use strict';
// ems-graphql: GraphQL for smart-home clients (docs/contract.md §6.8, docs/graphql.md).
// POST /graphql (and GET for queries) over graphql-http, the reference GraphQL-over-HTTP
// server, with graphql-js executing the schema of schema.graphql; every field is resolved
// through the REST API with the caller's own token or session cookie. Depth and cost limits
// refuse a query before it runs; bodies are bounded to 1 MiB as at the edge. GET /health answers
// {"status":"ok"} for readiness checks. Prints its settings at start, --help lists them, SIGTERM
// and SIGINT stop it cleanly (requests in flight are finished).
const http = require('node:http');
const { execute, parse, validate, specifiedRules, GraphQLError } = require('graphql');
const { createHandler } = require('graphql-http');
const log = require('./src/log');
const { loadSettings, ConfigError } = require('./src/settings');
const { RestClient, Api, ApiUnavailable, callerHeaders } = require('./src/rest');
const { makeSchema, defaultField } = require('./src/schema');
const { depthLimit, costLimit } = require('./src/limits');

const MAX_BODY = 1 << 20; // bytes, as the edge allows (docs/contract.md §8)

function jsonError(res, status, message) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify({ status: 'error', message })}\n`);
}

// The request body, at most MAX_BODY bytes; null when it is larger.
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// What the caller sees of an error raised in a resolver: the API's own error as it is; a failed
// or unreachable API as one sentence (the detail is logged); anything else as an internal error.
function formatError(err) {
  if (!(err instanceof GraphQLError) || !err.originalError || err.originalError instanceof GraphQLError) return err;
  const unavailable = err.originalError instanceof ApiUnavailable;
  log.warn(`${unavailable ? 'API call failed' : 'resolver failed'} at ${(err.path || []).join('.')}: ${err.originalError.message}`);
  return new GraphQLError(unavailable ? 'The API is not available right now; try again shortly.' : 'The service failed to resolve this field.', {
    nodes: err.nodes, path: err.path, extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

// Clients send the same few queries again and again: the document of each query text (up to
// CACHED_QUERIES texts of up to 16 KiB, least recently used first out) is parsed once, and
// checked once against the rules that do not depend on variables (graphql-js's own, which are
// most of the time a request takes, and the depth limit). The cost limit, which depends on the
// page sizes variables give, is checked on every request.
const CACHED_QUERIES = 500;
const documents = new Map();
const staticErrors = new WeakMap();

function cachedParse(source) {
  let document = documents.get(source);
  if (document) {
    documents.delete(source); // moved to the most recent end
  } else {
    document = parse(source);
    if (source.length > 16384) return document;
    if (documents.size >= CACHED_QUERIES) documents.delete(documents.keys().next().value);
  }
  documents.set(source, document);
  return document;
}

function makeHandler(settings) {
  const schema = makeSchema();
  const staticRules = [...specifiedRules, depthLimit(settings.maxDepth)];
  return createHandler({
    schema,
    // The request's own view of the REST API (serve makes it).
    context: (req) => req.context,
    parse: cachedParse,
    validate: (s, document, rules) => {
      let errors = staticErrors.get(document);
      if (!errors) {
        errors = validate(s, document, staticRules);
        staticErrors.set(document, errors);
      }
      return errors.length ? errors : validate(s, document, rules);
    },
    // Replaces graphql-http's rule list: the rules checked on every request (see validate).
    validationRules: (_req, args) => [costLimit(settings.maxCost, args.variableValues)],
    execute: (args) => execute({ ...args, fieldResolver: defaultField }),
    formatError,
    // How many REST calls the request made, for clients and tests that watch the fan-out.
    onOperation: (_req, args, result) => ({
      ...result, extensions: { ...result.extensions, restCalls: args.contextValue.api.calls },
    }),
  });
}

async function serve(handler, client, req, res) {
  const started = Date.now();
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/health' && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}\n');
    return;
  }
  if (url.pathname !== '/graphql') return jsonError(res, 404, 'No such route.');
  if (req.headers['content-encoding']) return jsonError(res, 415, 'Send the request body without Content-Encoding.');
  const body = await readBody(req);
  if (body === null) return jsonError(res, 413, 'The request body is larger than 1 MiB.');
  const context = { api: new Api(client, callerHeaders(req.headers)) };
  const [answer, init] = await handler({ method: req.method, url: req.url, headers: req.headers, body, raw: req, context });
  res.writeHead(init.status, init.statusText, init.headers).end(answer);
  // One line per request at debug (like ems-api, which leaves access logs to the edge); failures
  // of the API are logged at warn where they happen (formatError).
  log.debug(`${req.method} /graphql ${init.status} in ${Date.now() - started} ms, ${context.api.calls} REST calls`);
}

function main() {
  let settings;
  try {
    settings = loadSettings(process.env, process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`ems-graphql: ${err.message}\n`);
    process.exit(2);
  }
  if (settings.help) {
    process.stdout.write(settings.text);
    return;
  }
  log.setLevel(settings.logLevel);
  log.info(`starting on Node.js ${process.version} with ${settings.describe}`);
  const client = new RestClient(settings.apiUrl, settings.apiTimeoutMs);
  const handler = makeHandler(settings);
  const server = http.createServer((req, res) => {
    serve(handler, client, req, res).catch((err) => {
      log.error(`${req.method} ${req.url} failed: ${err.stack || err.message}`);
      if (!res.headersSent) jsonError(res, 500, 'The GraphQL service failed to serve this request.');
      else res.destroy();
    });
  });
  server.requestTimeout = 60000;
  server.headersTimeout = 10000;
  server.keepAliveTimeout = 5000;
  server.on('error', (err) => {
    log.error(`cannot listen on ${settings.listen.host}:${settings.listen.port} (EMS_GRAPHQL_LISTEN): ${err.message}`);
    process.exit(1);
  });
  server.listen(settings.listen.port, settings.listen.host, () => {
    log.info(`GraphQL listening on http://${settings.listen.host}:${server.address().port}/graphql, resolving through ${settings.apiUrl}`);
  });
  const stop = (signal) => {
    log.info(`${signal} received; finishing requests in flight`);
    server.close(() => {
      client.agent.destroy();
      log.info('stopped cleanly');
      process.exit(0);
    });
    server.closeIdleConnections();
    // A client that holds a request open longer than this is cut off.
    setTimeout(() => {
      log.warn('requests still in flight after 10 s; stopping anyway');
      process.exit(0);
    }, 10000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main();
