import { Telegram } from 'telegraf';
import { appendAudit } from '../audit.js';
import { AGENCY_CODES } from '../domain/agencies.js';
import {
  createInvite,
  inviteLink,
  MAX_COMMUNITY_LENGTH,
  parseInviteArgs,
  rememberBotUsername,
  rememberedBotUsername,
} from '../people/invites.js';
import type { CliCommand, CliContext } from './command.js';

// run.ts supplies this placeholder when BOT_TOKEN is unset: then Telegram cannot be asked.
const PLACEHOLDER_TOKEN = '0:cli';

const PROBLEMS = {
  usage: `usage: invite <monitor <community>|liaison <AGENCY>|officer|admin>\n  AGENCY: ${AGENCY_CODES.join(' ')}`,
  bad_agency: `unknown agency; use one of ${AGENCY_CODES.join(' ')}`,
  community_missing: 'a monitor invite needs the community, e.g. invite monitor 丹东街道某某社区',
  community_too_long: `the community name is longer than ${MAX_COMMUNITY_LENGTH} characters`,
} as const;

/** The bot's username: as the running bot remembered it, else asked from Telegram with BOT_TOKEN. */
async function botUsername({ config, database }: CliContext): Promise<string | null> {
  const remembered = await rememberedBotUsername(database.db);
  if (remembered) return remembered;
  if (config.botToken === PLACEHOLDER_TOKEN) return null;
  try {
    const me = await new Telegram(config.botToken, { apiRoot: config.apiRoot }).getMe();
    await rememberBotUsername(database.db, me.username);
    return me.username;
  } catch {
    return null;
  }
}

/** `invite …`: prints a single-use invite link, exactly as /invite would reply it. */
export const inviteCommand: CliCommand = {
  usage: 'invite <monitor <community>|liaison <AGENCY>|officer|admin>   print a single-use invite link',
  throughBot: true,
  async run(ctx) {
    const parsed = parseInviteArgs(ctx.args);
    if (!parsed.ok) {
      ctx.stderr.write(`${PROBLEMS[parsed.problem]}\n`);
      return 2;
    }
    const username = await botUsername(ctx);
    if (!username) {
      ctx.stderr.write(
        "cannot tell the bot's username: start the bot once (it remembers it), or set BOT_TOKEN so the CLI can ask Telegram\n",
      );
      return 1;
    }
    const created = await ctx.database.db.transaction(async (tx) => {
      const invite = await createInvite(tx, parsed.terms, null, new Date());
      await appendAudit(tx, {
        actorId: null,
        action: 'invite.created',
        details: {
          inviteId: invite.id,
          role: parsed.terms.role,
          via: 'cli',
          ...(parsed.terms.agency ? { agency: parsed.terms.agency } : {}),
        },
      });
      return invite;
    });
    ctx.stdout.write(`${inviteLink(username, created.token)}\n`);
    ctx.stderr.write(
      `single use, valid until ${created.expiresAt.toISOString()} (72 h); give it privately to one person, never in a group\n`,
    );
    return 0;
  },
};
