import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

const SECRET_TEXT = 'TEXTMARK-镇长指定施工方';
const SECRET_CAPTION = 'CAPTIONMARK';
const SECRET_PAYLOAD = 'PAYLOADMARK';

/** Logs the fields the redaction list must remove, at top level and one level down. */
function logSecrets(logger: Logger): void {
  logger.info(
    {
      updateId: 4711,
      text: SECRET_TEXT,
      caption: SECRET_CAPTION,
      payload: { message: SECRET_PAYLOAD },
      update: { text: SECRET_TEXT, caption: SECRET_CAPTION, payload: SECRET_PAYLOAD },
    },
    'update handled',
  );
}

function flushed(logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
}

async function readWhenWritten(path: string, expected: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const content = await readFile(path, 'utf8').catch(() => '');
    if (content.includes(expected) || Date.now() > deadline) return content;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the logger', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'logger-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('writes JSON lines without the redacted fields', async () => {
    const path = join(folder, 'json.log');
    const logger = createLogger('info', { path, pretty: false });
    logSecrets(logger);
    await flushed(logger);
    const content = await readWhenWritten(path, 'update handled');
    const line = JSON.parse(content.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'update handled', updateId: 4711, app: 'liaison-bot' });
    for (const secret of [SECRET_TEXT, SECRET_CAPTION, SECRET_PAYLOAD]) expect(content).not.toContain(secret);
  });

  it('through the pretty transport: readable lines, the same fields removed', async () => {
    const path = join(folder, 'pretty.log');
    const logger = createLogger('info', { path, pretty: true });
    logSecrets(logger);
    await flushed(logger);
    const content = await readWhenWritten(path, 'update handled');
    expect(content).toContain('INFO');
    expect(content).toContain('update handled');
    expect(content).toContain('4711');
    // Not JSON: a person reads it.
    expect(() => JSON.parse(content.trim())).toThrow();
    for (const secret of [SECRET_TEXT, SECRET_CAPTION, SECRET_PAYLOAD]) expect(content).not.toContain(secret);
  });

  it('is JSON when the output is not a terminal', async () => {
    const path = join(folder, 'default.log');
    const logger = createLogger('info', { path });
    logger.info({ updateId: 1 }, 'not a terminal');
    await flushed(logger);
    const content = await readWhenWritten(path, 'not a terminal');
    expect(JSON.parse(content.trim())).toMatchObject({ msg: 'not a terminal' });
  });
});
