import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../src/db/schema.js';
import { buildDigest } from '../../../src/digests/compose.js';
import { translatorFor } from '../../../src/i18n.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { textMessage, user } from '../../support/updates.js';

const ADMIN = 9301;
const OFFICER = 9302;
const MONITOR = 9303;
const REASON = '县纪委要求约谈举报人核实情况';

describe('/reveal', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(ADMIN, 'admin', { language: 'zh-CN' });
    await harness.enrol(OFFICER, 'officer');
    await harness.enrol(MONITOR, 'monitor', { community: '丹东社区' });
    // The monitor's Telegram profile (name, username) is recorded by the profile refresh on this update.
    await harness.send(
      textMessage(
        user(MONITOR, { name: '张保密', username: 'zhang_secret' }),
        '/tip F-HPZ 镇长指定施工方，金额约300万元',
      ),
    );
    await harness.send(
      textMessage(user(OFFICER), '/log hotline P-DXZ anonymous 来电反映干部调整未经集体讨论'),
    );
  });
  afterAll(() => harness.close());

  const reveals = () =>
    harness.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'item.revealed')));

  it('shows the reporter to the admin only, privately, and audits the reason', async () => {
    const replies = await harness.send(textMessage(user(ADMIN), `/reveal 1 ${REASON}`));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.chatId).toBe(ADMIN);
    expect(replies[0]?.text).toContain(String(MONITOR));
    expect(replies[0]?.text).toContain('张保密');
    expect(replies[0]?.text).toContain('@zhang_secret');
    expect(replies[0]?.text).toContain('丹东社区');
    const [row] = await reveals();
    expect(row).toMatchObject({ actorId: ADMIN, itemId: 1, details: { reason: REASON, found: true } });
  });

  it('refuses a missing or short reason without revealing or auditing', async () => {
    const before = (await reveals()).length;
    const [reply] = await harness.send(textMessage(user(ADMIN), '/reveal 1 想看看'));
    expect(reply?.text).toContain('/reveal');
    expect(reply?.text).not.toContain('张保密');
    expect((await reveals()).length).toBe(before);
  });

  it('is refused to officers, who never see the reporter', async () => {
    const replies = await harness.send(textMessage(user(OFFICER), `/reveal 1 ${REASON}`));
    const text = replies.map((reply) => reply.text).join('\n');
    expect(text).not.toContain('张保密');
    expect(text).not.toContain(String(MONITOR));
    expect((await reveals()).length).toBe(1);
  });

  it('says a hotline report has no enrolled reporter, and still records the attempt', async () => {
    const [reply] = await harness.send(textMessage(user(ADMIN), `/reveal 2 ${REASON}`));
    expect(reply?.text).toContain('监督电话');
    expect((await reveals()).length).toBe(2);
  });

  it('is counted in the weekly digest', async () => {
    const digest = await buildDigest(
      harness.db,
      'weekly',
      {
        at: new Date(Date.now() + 7 * 86_400_000),
        since: null,
        timeZone: harness.config.timeZone,
        botUsername: 'liaison_test_bot',
        includeAdminsOnly: true,
        adminOnlyUnits: ['ZZB'],
      },
      translatorFor('en'),
    );
    expect(digest.main.text).toContain('Reporter identities revealed by admins last week: 2');
    expect(digest.main.text).not.toContain('张保密');
  });
});
