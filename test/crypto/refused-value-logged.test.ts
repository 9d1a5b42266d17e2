import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personNumberOf } from '../../src/crypto/person-numbers.js';
import { allowLegacyValues } from '../../src/crypto/sealing.js';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

const ADMIN = 7501;
const OFFICER = 7502;
const PLANTED = '镇长收受礼金的举报内容PLANTED';

// Issue 14, integrity: a value planted in clear by a database writer without the key is refused where
// it is read, and what is logged names the place, never the value.
describe('a value planted in clear', () => {
  let harness: Harness;
  const logLines: string[] = [];
  beforeAll(async () => {
    harness = await createHarness(
      { ADMIN_IDS: String(ADMIN), LOG_LEVEL: 'debug' },
      {
        logDestination: new Writable({
          write(chunk, _encoding, done) {
            logLines.push(String(chunk));
            done();
          },
        }),
      },
    );
    await harness.enrol(ADMIN, 'admin');
    await harness.enrol(OFFICER, 'officer');
  });
  afterAll(async () => {
    allowLegacyValues({ v1: true, clear: true });
    await harness.close();
  });

  it("is refused when the bot reads it (an officer's name in /people), and logged by place only", async () => {
    // After a start has resealed everything, values in clear are refused (src/crypto/reseal.ts).
    allowLegacyValues({ v1: false, clear: false });
    await harness.db.execute(
      sql`update people set display_name = ${PLANTED} where telegram_id = ${personNumberOf(OFFICER)}`,
    );
    const replies = await harness.send(textMessage(user(ADMIN), '/people'));
    expect(JSON.stringify(replies)).not.toContain(PLANTED);
    const logged = logLines.join('');
    expect(logged).toMatch(/people\.display_name[^"]*not sealed: refused/);
    expect(logged).not.toContain(PLANTED);
  });
});
