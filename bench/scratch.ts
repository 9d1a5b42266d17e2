/** Throw-away databases for one benchmark phase: a temp PGlite folder, or a scratch Postgres database. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { configureKeyring, formatKeyring, generateKey, isKeyringConfigured } from '../src/crypto/sealing.js';
import { type Database, openDatabase } from '../src/db/client.js';

// One data key per bench run, shared by this process and the bot processes it starts (DATA_KEY).
const benchKey = generateKey();

import { migrateDatabase } from '../src/db/migrate.js';

/** A fresh, empty database and the environment that points the bot at it. */
export interface Scratch {
  kind: 'pglite' | 'postgres';
  /** DATA_DIR or DATABASE_URL for a child process. */
  env: Record<string, string>;
  /** A working folder for child processes (PGlite keeps its data below it). */
  cwd: string;
  /** Opens and migrates the database (close it before a child opens a PGlite folder). */
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

/**
 * Creates a scratch database: on the Postgres server of `serverUrl` a new database named
 * liaison_bench_<random> (dropped by dispose, so the server's own databases are never touched),
 * otherwise a temporary PGlite folder.
 */
export async function createScratch(serverUrl: string | undefined): Promise<Scratch> {
  const cwd = await mkdtemp(join(tmpdir(), 'liaison-bench-'));
  if (!isKeyringConfigured()) configureKeyring([benchKey]);
  const DATA_KEY = formatKeyring([benchKey]);
  const openMigrated = async (database: Database) => {
    await migrateDatabase(database);
    return database;
  };
  if (!serverUrl) {
    const dataDir = join(cwd, 'data');
    return {
      kind: 'pglite',
      env: { DATA_DIR: dataDir, DATA_KEY },
      cwd,
      open: async () => openMigrated(await openDatabase({ dataDir })),
      dispose: () => rm(cwd, { recursive: true, force: true }),
    };
  }
  const name = `liaison_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString(), DATA_KEY },
    cwd,
    open: async () => openMigrated(await openDatabase({ url: url.toString() })),
    async dispose() {
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
