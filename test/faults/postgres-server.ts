// Stopping and starting the local PostgreSQL cluster for fault scenarios, safely on a shared machine.
// (The same steps as scenario 3 in database-outage.test.ts, which keeps its own copy.)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import postgres from 'postgres';
import { TEST_DATABASE_URL } from '../support/database.js';
import { sleep } from './rig.js';

/** Stops or starts the local Postgres cluster the tests use (the CI machine runs the same server). */
export function postgresServer(action: 'stop' | 'start'): void {
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('no Postgres cluster in /etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'pipe' });
}

/** Waits (up to 60 s) until the server accepts connections again. */
export async function waitForPostgres(): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 500) {
    try {
      execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { stdio: 'pipe' });
      return;
    } catch {
      await sleep(500);
    }
  }
  throw new Error('Postgres did not come back within 60 s');
}

/**
 * Waits (up to 2 min) until no one but this scenario's bot uses the server, so stopping it fails
 * nobody else's tests on a shared development machine; CI runs nothing else at that point.
 * Returns how many other clients were still connected.
 */
export async function waitForIdleServer(ownDatabase: string): Promise<number> {
  const admin = postgres(TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
  try {
    for (let waited = 0; ; waited += 2000) {
      const [row] = await admin<{ n: string }[]>`
        select count(*) as n from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid()
          and datname is not null and datname <> ${ownDatabase}`;
      const others = Number(row?.n ?? 0);
      if (others === 0 || waited >= 120_000) return others;
      await sleep(2000);
    }
  } finally {
    await admin.end();
  }
}
