'use strict';
// The REST API every field is resolved through (docs/contract.md §6.8): one keep-alive client per
// process, and per GraphQL request an `Api` that carries the caller's own credentials, remembers
// each GET it made (a page of devices primes the devices it holds, so nothing is fetched twice
// in a request: no N+1 calls) and turns the API's errors into GraphQL errors carrying the API's
// sentence and an `extensions.code`.
const http = require('node:http');
const DataLoader = require('dataloader');
const { GraphQLError } = require('graphql');

const CODES = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'BAD_USER_INPUT',
  413: 'BAD_USER_INPUT',
  422: 'BAD_USER_INPUT',
  429: 'RATE_LIMITED',
};

// The API could not be asked, or failed: the detail goes to the log, not to the caller.
class ApiUnavailable extends Error {}

function restError(status, body) {
  const code = CODES[status];
  if (!code) return new ApiUnavailable(`the API answered ${status}`);
  const message = body && typeof body.message === 'string' ? body.message : `The API answered ${status}.`;
  return new GraphQLError(message, { extensions: { code, status } });
}

class RestClient {
  constructor(apiUrl, timeoutMs) {
    this.base = new URL(apiUrl);
    this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  // One call; resolves { status, body } (body parsed when JSON, else null).
  call(method, path, headers, body, retried = false) {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const h = { ...headers, Accept: 'application/json' };
    if (payload) {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.base.hostname, port: this.base.port || 80, method, path, headers: h, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed = null;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // Not JSON (an answer of something that is not ems-api): left null.
            }
            resolve({ status: res.statusCode, body: parsed });
          });
        },
      );
      const timer = setTimeout(
        () => req.destroy(new ApiUnavailable(`${method} ${path} took longer than ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        // A kept-alive connection the API closed just as it was reused: a GET is asked once more,
        // as Node's documentation recommends; a command is not repeated.
        if (!retried && method === 'GET' && req.reusedSocket && err.code === 'ECONNRESET') {
          resolve(this.call(method, path, headers, body, true));
        } else {
          reject(err instanceof ApiUnavailable ? err : new ApiUnavailable(`${method} ${path}: ${err.message}`));
        }
      });
      req.end(payload);
    });
  }
}

// `path` with the query parameters of `params` that are set.
function withQuery(path, params) {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return q.length ? `${path}?${q.join('&')}` : path;
}

const seg = (id) => encodeURIComponent(id);

// The REST API as one GraphQL request's caller sees it.
class Api {
  constructor(client, headers) {
    this.client = client;
    this.headers = headers;
    this.calls = 0;
    this.loader = new DataLoader((paths) => Promise.all(paths.map((p) => this.fetch('GET', p).catch((e) => e))));
  }

  async fetch(method, path, body) {
    this.calls += 1;
    const { status, body: answer } = await this.client.call(method, path, this.headers, body);
    if (status >= 200 && status < 300) return answer;
    throw restError(status, answer);
  }

  // A GET, made at most once per request whatever the number of fields asking.
  get(path, params = {}) {
    return this.loader.load(withQuery(path, params));
  }

  // What a GET of `path` would answer, already known (a device of a page).
  prime(path, value) {
    this.loader.clear(path).prime(path, value);
  }

  // A command (POST, PUT, DELETE), never cached; what it changed is forgotten.
  async send(method, path, body) {
    const answer = await this.fetch(method, path, body);
    this.loader.clearAll();
    return answer;
  }
}

// The credentials of an HTTP request: its bearer token, or the API's session cookie (HTML pages
// sign in with it), passed on as they are.
function callerHeaders(headers) {
  const out = {};
  if (headers.authorization) out.Authorization = headers.authorization;
  const session = /(?:^|;\s*)(ems_session=[^;]*)/.exec(headers.cookie || '');
  if (session) out.Cookie = session[1];
  return out;
}

module.exports = { RestClient, Api, ApiUnavailable, callerHeaders, seg, withQuery };
