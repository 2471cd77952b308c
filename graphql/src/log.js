'use strict';
// One line per event on stderr, as every ems process writes them (docs/architecture.md):
// "<RFC 3339 UTC> <LEVEL> ems-graphql: <message>".
const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 };
let min = LEVELS.info;

function setLevel(name) {
  min = LEVELS[name];
}

function write(level, message) {
  if (LEVELS[level] < min) return;
  // One event, one line, whatever the message holds.
  const text = String(message).replace(/[\r\n]+/g, ' ');
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ems-graphql: ${text}\n`);
}

module.exports = {
  setLevel,
  debug: (m) => write('debug', m),
  info: (m) => write('info', m),
  warn: (m) => write('warn', m),
  error: (m) => write('error', m),
};
