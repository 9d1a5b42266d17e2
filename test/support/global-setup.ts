import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { TestProject } from 'vitest/node';
import { type Database, type Db, openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import * as schema from '../../src/db/schema.js';
import { createScratchPostgres, TEST_DATABASE_URL } from './database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory dumped to a file (PGlite's `dumpDataDir` format). */
    pgliteTemplateDump: string;
    /** A migrated PGlite data directory on disk, copied into a bot process's DATA_DIR. */
    pgliteTemplateFolder: string;
    /** The name of a migrated Postgres database to create test databases from (`CREATE DATABASE … TEMPLATE`). */
    postgresTemplate: string;
  }
}

/**
 * Builds dist/ once so end-to-end tests can start the real bot process as `npm start` would, and
 * prepares one migrated database for every test file to start from: starting PGlite empty runs
 * initdb, which took most of an integration file's time, and every file then ran every migration.
 * Type errors do not stop the emit (CI type-checks separately), so a half-typed file elsewhere
 * does not block unrelated tests.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const built = build();
  const folder = await mkdtemp(join(tmpdir(), 'liaison-template-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(folder, { recursive: true, force: true })];

  // One initdb: the folder is what a bot process's DATA_DIR gets, its dump what in-memory databases load.
  const templateFolder = join(folder, 'pgdata');
  const template = await PGlite.create(templateFolder);
  try {
    await migrateDatabase(asDatabase(template));
    const dumpFile = join(folder, 'pgdata.tar');
    const dump = await template.dumpDataDir('none');
    await writeFile(dumpFile, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteTemplateDump', dumpFile);
  } finally {
    await template.close();
  }
  project.provide('pgliteTemplateFolder', templateFolder);

  if (TEST_DATABASE_URL) {
    const template = await createScratchPostgres();
    const database = await openDatabase({ url: template.url, poolSize: 1 });
    try {
      await migrateDatabase(database);
    } finally {
      await database.close();
    }
    project.provide('postgresTemplate', template.name);
    cleanups.push(template.drop);
  }

  await built;
  return async () => {
    for (const cleanup of cleanups) await cleanup();
  };
}

/**
 * Runs the build (`npm run build`: TypeScript, then the bundled entry points that `npm start` and
 * `npm run cli` run) in a child process, beside the database templates.
 */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    // The script says on stderr when tsc reported type errors (it still writes dist/, and CI
    // type-checks apart); it fails only when it wrote nothing to run.
    const child = spawn(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the build (scripts/build.mjs) failed with exit ${code}`)),
    );
  });
}

/** A PGlite client as the product's Database, without the data-folder lock a bot process takes. */
function asDatabase(client: PGlite): Database {
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: 'pglite',
    concurrency: 1,
    close: () => client.close(),
  };
}
