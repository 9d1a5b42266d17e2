import { recordDatabaseKey } from '../crypto/key-guard.js';
import { locateKeyFile, readKeyFile, writeKeyFile } from '../crypto/key-store.js';
import { countNotUnderCurrentKey, resealAll } from '../crypto/reseal.js';
import {
  configureKeyring,
  currentKeyId,
  generateKey,
  keyIdOf,
  keyringIds,
  parseKeyring,
} from '../crypto/sealing.js';
import type { CliCommand, CliContext } from './command.js';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/**
 * Backups are not re-encrypted (they are files elsewhere, maybe off this host): each stays under the
 * key that was current when it was taken, so the operator must hear which key those need, and keep it.
 */
function oldBackupsNeed(oldIds: readonly string[], keptWhere: string): string {
  return `backups taken before this rotation are encrypted under key ${oldIds.join(', ')} and cannot be read without it: keep ${keptWhere} (apart from the backups) for as long as you keep those backups\n`;
}

async function reencrypt(ctx: CliContext, batchSize: number): Promise<void> {
  const counts = await resealAll(ctx.database.db, { batchSize });
  const changed = Object.entries(counts).filter(([, n]) => n > 0);
  ctx.stdout.write(`re-encrypted under key ${currentKeyId()}:\n`);
  for (const [column, n] of changed) ctx.stdout.write(`  ${column}: ${n}\n`);
  if (changed.length === 0) ctx.stdout.write('  nothing left to change\n');
  await recordDatabaseKey(ctx.database.db);
}

/**
 * The embedded default keeps its keyring in a key file (`<DATA_DIR>-key/data.key` by default, see
 * src/crypto/key-store.ts): a new key is put first there, every
 * value re-encrypted, and once none is left under an old key the old keys are dropped from the file.
 * An interrupted run leaves values under both keys; running again finishes the same rotation.
 */
async function rotateKeyFile(ctx: CliContext, batchSize: number): Promise<number> {
  const { config, stdout } = ctx;
  const keyFile = locateKeyFile(config).path;
  const ring = (await readKeyFile(keyFile)) ?? [];
  if ((await countNotUnderCurrentKey(ctx.database.db)) === 0) {
    const next = generateKey();
    await writeKeyFile(keyFile, [next, ...ring]);
    configureKeyring([next, ...ring]);
    stdout.write(`new data key ${keyIdOf(next)} written first into ${keyFile}\n`);
  } else {
    stdout.write(`resuming the rotation to key ${currentKeyId()}\n`);
  }
  await reencrypt(ctx, batchSize);
  if ((await countNotUnderCurrentKey(ctx.database.db)) > 0) {
    stdout.write('some values are still under an old key (rows in use); run rotate-key again\n');
    return 1;
  }
  const current = (await readKeyFile(keyFile))?.[0];
  if (current) {
    await writeKeyFile(keyFile, [current]);
    const retired = ring.map(keyIdOf).filter((id) => id !== keyIdOf(current));
    if (retired.length > 0) {
      stdout.write(`retired old keys: ${retired.join(', ')}\n`);
      stdout.write(oldBackupsNeed(retired, 'the copy of the old key file you backed up'));
    }
  }
  stdout.write(`done: back up the new key file ${keyFile} now (apart from database backups)\n`);
  return 0;
}

/**
 * With DATA_KEY the keyring belongs to the operator: the tool prints a new key to put first in
 * DATA_KEY (every bot restarted with it), then re-encrypts everything to DATA_KEY's first key and
 * says when the old keys may be removed.
 */
async function rotateEnvironmentKey(ctx: CliContext, batchSize: number): Promise<number> {
  const { stdout, args } = ctx;
  const pending = await countNotUnderCurrentKey(ctx.database.db);
  const ids = keyringIds();
  if (pending === 0 && ids.length === 1) {
    const given = option(args, '--new-key');
    let next: Buffer;
    try {
      next = given ? (parseKeyring(given)[0] as Buffer) : generateKey();
    } catch (error) {
      ctx.stderr.write(`--new-key: ${(error as Error).message}\n`);
      return 2;
    }
    stdout.write(
      [
        `every value is under key ${ids[0]}. To rotate to key ${keyIdOf(next)}:`,
        '  1. set DATA_KEY to the new key, a comma, then the current key (new first):',
        `     DATA_KEY=${next.toString('base64')},<current DATA_KEY>`,
        '  2. restart every bot process with it (they seal new values under the new key and read both)',
        '  3. run `npm run cli -- rotate-key` again with the same DATA_KEY: it re-encrypts everything',
        '  4. when it says so, remove the old key from DATA_KEY and restart',
        `backups taken before the rotation stay under key ${ids[0]}: keep the current DATA_KEY value in the secret store for as long as you keep them`,
        '',
      ].join('\n'),
    );
    return 0;
  }
  if (pending > 0) await reencrypt(ctx, batchSize);
  if ((await countNotUnderCurrentKey(ctx.database.db)) > 0) {
    stdout.write('some values are still under an old key (rows in use); run rotate-key again\n');
    return 1;
  }
  const old = ids.slice(1);
  stdout.write(
    old.length > 0
      ? `every value is under key ${ids[0]}: remove the old keys (${old.join(', ')}) from DATA_KEY and restart\n`
      : `every value is under key ${ids[0]}\n`,
  );
  if (old.length > 0) stdout.write(oldBackupsNeed(old, 'the old DATA_KEY value in the secret store'));
  return 0;
}

/** `rotate-key [--new-key <base64>] [--batch <n>]`: re-encrypts every sealed value under a new data key, resumably. */
export const rotateKeyCommand: CliCommand = {
  usage: 'rotate-key [--new-key <base64>]  re-encrypt every stored report under a new data key (resumable)',
  async run(ctx) {
    const batch = Number(option(ctx.args, '--batch') ?? 200);
    if (!Number.isInteger(batch) || batch < 1) {
      ctx.stderr.write('--batch: a whole number of rows, at least 1\n');
      return 2;
    }
    if (!ctx.config.dataKeys && !ctx.config.databaseUrl) return rotateKeyFile(ctx, batch);
    return rotateEnvironmentKey(ctx, batch);
  },
};
