'use strict';
// What the graphql/test/ suite asks against: a running stack described in EMS_TEST_STACK
// (tests/graphql/graphql_test.cpp starts it and writes it): the edge's address, ems-graphql's
// own, and users with their passwords. Without it, the tests that need a stack are skipped.
const stack = process.env.EMS_TEST_STACK ? JSON.parse(process.env.EMS_TEST_STACK) : null;
const skip = stack ? false : 'no stack (EMS_TEST_STACK); run through ctest -L graphql';

const tokens = new Map();

async function login(user) {
  if (!tokens.has(user)) {
    const res = await fetch(`${stack.edgeUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user, password: stack.users[user] }),
    });
    if (res.status !== 200) throw new Error(`login of ${user} answered ${res.status}`);
    tokens.set(user, (await res.json()).token);
  }
  return tokens.get(user);
}

// POST /graphql through the edge as `user` (null: no credentials); answers { status, body, text }.
async function gql(user, query, variables, { url } = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' };
  if (user) headers.Authorization = `Bearer ${await login(user)}`;
  const res = await fetch(url || `${stack.edgeUrl}/graphql`, {
    method: 'POST', headers, body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Left null: the test looks at the text.
  }
  return { status: res.status, body, text, contentType: res.headers.get('content-type') };
}

// REST through the edge as `user`, to compare GraphQL's answers with.
async function rest(user, path, method = 'GET', body) {
  const res = await fetch(`${stack.edgeUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await login(user)}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// The one error of an answer, with its code.
function onlyError(answer) {
  const errors = (answer.body && answer.body.errors) || [];
  if (errors.length !== 1) throw new Error(`expected one error, got ${answer.text}`);
  return errors[0];
}

module.exports = { stack, skip, login, gql, rest, onlyError };
