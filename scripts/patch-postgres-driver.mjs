#!/usr/bin/env node
// Runs after every install (package.json "postinstall"). postgres.js 3.4.9 defers small writes with
// setImmediate; when the server goes away under a reserved connection (a transaction), the rollback
// is written after the socket was set to null and the deferred write throws an uncatchable TypeError
// that kills the bot (upstream porsager/postgres#1154, #1208; fix proposed in #1168, not released).
// The same defect leaves a stale timer behind, so a surviving connection would never flush again.
// This patch makes the deferred write reject the connection's queries as CONNECTION_CLOSED instead,
// and resets the write buffer whenever a connection closes. It is idempotent and checks its anchors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = '/* liaison-bot: null-socket guard */';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres');
const files = ['src/connection.js', 'cjs/src/connection.js'].map((file) => join(root, file));

const replacements = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${MARK}\n    if (socket === null) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n    socket.removeListener('connect', connected)\n    idleTimer.cancel()",
    "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener('data', data)\n    socket.removeListener('connect', connected)\n    idleTimer.cancel()",
  ],
];

let problems = 0;
for (const file of files) {
  if (!existsSync(file)) continue;
  let source = readFileSync(file, 'utf8');
  if (source.includes(MARK)) continue;
  for (const [anchor, replacement] of replacements) {
    if (!source.includes(anchor)) {
      process.stderr.write(
        `patch-postgres-driver: ${file} changed upstream; review the patch (anchor missing)\n`,
      );
      problems += 1;
      continue;
    }
    source = source.replace(anchor, replacement);
  }
  writeFileSync(file, source);
}
process.exit(problems > 0 ? 1 : 0);
