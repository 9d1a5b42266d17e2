import { type BuiltDigest, buildDigest } from '../digests/compose.js';
import type { DigestMessage } from '../digests/model.js';
import { dailySince } from '../digests/scheduler.js';
import { parseDigestKind } from '../domain/periods.js';
import { languageFor, translatorFor } from '../i18n.js';
import type { CliCommand } from './command.js';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&amp;': '&' };

/** The digest's HTML as plain terminal text: tags dropped, entities decoded. */
export function htmlToPlain(html: string): string {
  return html.replace(/<[^>]+>/g, '').replace(/&(lt|gt|quot|amp);/g, (entity) => ENTITIES[entity] ?? entity);
}

function buttonLine(message: DigestMessage): string {
  const labels = message.buttons.flat().map((button) => button.text);
  return labels.length > 0 ? `[buttons: ${labels.join(' ')}]\n` : '';
}

/** The dry-run printout: which period it covers, the section's message, the chart that would be attached, and each agency message. */
export function formatDryRun(digest: BuiltDigest): string {
  let text = `${htmlToPlain(digest.preview)}\n\n${htmlToPlain(digest.main.text)}\n${buttonLine(digest.main)}`;
  if (digest.chart) {
    text += `[chart: PNG ${digest.chart.width}x${digest.chart.height}, ${digest.chart.png.length} bytes, would be attached as a photo]\n`;
  }
  // One sample per agency: its liaisons all get the same content, and who they are is not printed.
  const shown = new Set<string>();
  for (const agencyMessage of digest.agencyMessages) {
    if (shown.has(agencyMessage.agency)) continue;
    shown.add(agencyMessage.agency);
    const recipients = digest.agencyMessages.filter((m) => m.agency === agencyMessage.agency).length;
    text += `\n--- privately to the ${recipients} liaison(s) of ${agencyMessage.agency} ---\n`;
    text += `${htmlToPlain(agencyMessage.message.text)}\n`;
  }
  return text;
}

/**
 * `digest <daily|weekly|monthly> --dry-run [--lang en]`: prints the digest that would be sent now,
 * without recording the period or queueing anything.
 */
export const digestCommand: CliCommand = {
  usage: 'digest <daily|weekly|monthly> --dry-run [--lang en]   print the digest that would be sent now',
  throughBot: true,
  async run({ config, database, args, stdout, stderr }) {
    const kind = parseDigestKind(args.find((arg) => !arg.startsWith('--')));
    if (!kind || !args.includes('--dry-run')) {
      stderr.write(
        'digest: usage: digest <daily|weekly|monthly> --dry-run (the bot itself sends scheduled digests)\n',
      );
      return 2;
    }
    const langIndex = args.indexOf('--lang');
    const t = translatorFor(languageFor(langIndex >= 0 ? args[langIndex + 1] : undefined));
    const now = new Date();
    const since = kind === 'daily' ? await dailySince(database.db, now) : null;
    const digest = await buildDigest(
      database.db,
      kind,
      {
        at: now,
        since: since?.at ?? null,
        sinceFrom: since?.from,
        timeZone: config.timeZone,
        // The CLI does not ask Telegram who the bot is; buttons are printed by label only.
        botUsername: 'bot',
        includeAdminsOnly: false,
        adminOnlyUnits: config.adminOnlyUnits,
      },
      t,
    );
    stdout.write(formatDryRun(digest));
    return 0;
  },
};
