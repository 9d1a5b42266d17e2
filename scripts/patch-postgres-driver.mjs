#!/usr/bin/env node
// Runs after every install (package.json "postinstall"). postgres.js 3.4.9 defers small writes with
// setImmediate; when the server goes away under a reserved connection (a transaction), the rollback
// is written after the socket was set to null and the deferred write throws an uncatchable TypeError
// that kills the bot (upstream porsager/postgres#1154, #1208; fix proposed in #1168, not released).
// The same defect leaves a stale timer behind, so a surviving connection would never flush again.
// This patch makes the deferred write reject the connection's queries as CONNECTION_CLOSED instead,
// and resets the write buffer whenever a connection closes.
//
// All or nothing: every hunk of every file is checked before anything is written. A file whose hunks
// are all applied is left as it is; a file whose anchors are all present is patched; anything else (a
// file missing, a hunk applied and another not, an anchor gone or doubled, another driver version than
// the one package.json pins and this patch is written for) writes nothing and exits 1. Running it
// again is a no-op. The bot checks at start-up that the patch is in place (src/db/driver-patch.ts,
// which looks for what the hunks leave behind: keep the two in step).
//
// usage: node scripts/patch-postgres-driver.mjs [driver-dir]   (default: node_modules/postgres)
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The postgres.js version these hunks are written for; package.json pins exactly this one. */
const WRITTEN_FOR = '3.4.9';
const MARK = '/* liaison-bot: null-socket guard */';
const FILES = ['src/connection.js', 'cjs/src/connection.js'];
/** [anchor in the released driver, what replaces it]; neither contains the other. */
const HUNKS = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${MARK}\n    if (socket === null) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n    socket.removeListener('connect', connected)\n    idleTimer.cancel()",
    "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener('data', data)\n    socket.removeListener('connect', connected)\n    idleTimer.cancel()",
  ],
];

const NAME = 'patch-postgres-driver';
const driverDir = resolve(
  process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres'),
);
const REINSTALL = `reinstall the driver: rm -rf ${driverDir} && npm ci`;

function fail(problems) {
  process.stderr.write(
    `${NAME}: the PostgreSQL driver in ${driverDir} was NOT patched (nothing was written):\n${problems
      .map((problem) => `  - ${problem}\n`)
      .join('')}`,
  );
  process.exit(1);
}

function count(source, text) {
  return source.split(text).length - 1;
}

/** 'patched', 'unpatched', or a problem: which hunks are applied, pending, or neither. */
function classify(file, source) {
  const applied = [];
  const pending = [];
  const lost = [];
  HUNKS.forEach(([anchor, replacement], index) => {
    const hunk = index + 1;
    const done = count(source, replacement);
    const todo = count(source, anchor);
    if (done === 1 && todo === 0) applied.push(hunk);
    else if (done === 0 && todo === 1) pending.push(hunk);
    else lost.push(hunk);
  });
  if (lost.length > 0) {
    return {
      problem: `${file}: hunk ${lost.join(', ')} of ${HUNKS.length} matches nowhere (or more than once): the driver changed; review the patch`,
    };
  }
  if (pending.length === 0) return { state: 'patched' };
  if (applied.length === 0) return { state: 'unpatched' };
  return {
    problem: `${file} is half-patched (hunk ${applied.join(', ')} applied, hunk ${pending.join(', ')} not): ${REINSTALL}`,
  };
}

const manifestPath = join(driverDir, 'package.json');
if (!existsSync(manifestPath)) {
  fail([`${manifestPath} is missing: postgres is not installed there; ${REINSTALL}`]);
}
let version;
try {
  version = JSON.parse(readFileSync(manifestPath, 'utf8')).version;
} catch (error) {
  fail([`${manifestPath} is unreadable (${error.message}); ${REINSTALL}`]);
}
if (version !== WRITTEN_FOR) {
  fail([
    `postgres ${version} is installed, but this patch is written for ${WRITTEN_FOR} (package.json pins it). Install ${WRITTEN_FOR} (npm ci), or review the patch against ${version}, update WRITTEN_FOR and the pin together — or drop the patch once upstream ships the fix`,
  ]);
}

const problems = [];
const toWrite = [];
for (const file of FILES) {
  const path = join(driverDir, file);
  if (!existsSync(path)) {
    problems.push(`${file} is missing; ${REINSTALL}`);
    continue;
  }
  const source = readFileSync(path, 'utf8');
  const found = classify(file, source);
  if (found.problem) problems.push(found.problem);
  else if (found.state === 'unpatched') toWrite.push({ file, path, source });
}
if (problems.length > 0) fail(problems);

if (toWrite.length === 0) {
  process.stdout.write(`${NAME}: postgres ${version} in ${driverDir} is already patched; nothing to do\n`);
  process.exit(0);
}
// Every text is made and checked before the first is written.
const patchedTexts = toWrite.map(({ file, path, source }) => {
  let patched = source;
  for (const [anchor, replacement] of HUNKS) patched = patched.replace(anchor, () => replacement);
  if (classify(file, patched).state !== 'patched') fail([`${file}: the patched text does not check out`]);
  return { path, patched };
});
for (const { path, patched } of patchedTexts) {
  // A whole file or none: a crash mid-write must not leave a torn connection.js behind.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, patched, { mode: statSync(path).mode });
  renameSync(temporary, path);
}
process.stdout.write(
  `${NAME}: patched postgres ${version} in ${driverDir} (${toWrite.map(({ file }) => file).join(', ')})\n`,
);
