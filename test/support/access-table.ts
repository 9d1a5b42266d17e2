import type { Feature } from '../../src/bot/feature.js';
import { AUDIENCES } from '../../src/domain/roles.js';

/** One row of the access matrix: a command or a button action and who may use it. */
export interface AccessRow {
  kind: 'command' | 'button';
  name: string;
  feature: string;
  chats: readonly string[];
  audience: readonly string[];
}

/** Every command (first registration wins, as in telegraf) and every button action of the features. */
export function accessRows(features: readonly Feature[]): AccessRow[] {
  const rows: AccessRow[] = [];
  const seen = new Set<string>();
  for (const feature of features) {
    for (const spec of feature.commands) {
      if (seen.has(spec.command)) continue;
      seen.add(spec.command);
      rows.push({
        kind: 'command',
        name: spec.command,
        feature: feature.name,
        chats: spec.chats ?? ['private'],
        audience: spec.audience,
      });
    }
  }
  for (const feature of features) {
    for (const [action, { spec }] of feature.actions) {
      rows.push({
        kind: 'button',
        name: action,
        feature: feature.name,
        chats: ['any'],
        audience: spec.audience,
      });
    }
  }
  return rows;
}

/** The README's access table in Markdown: ✅ allowed, ⛔ refused, per command/button and audience. */
export function accessTableMarkdown(features: readonly Feature[]): string {
  const header = `| | where | ${AUDIENCES.join(' | ')} |`;
  const rule = `|---|---|${AUDIENCES.map(() => ':-:').join('|')}|`;
  const lines = accessRows(features).map((row) => {
    const label = row.kind === 'command' ? `\`/${row.name}\`` : `button \`${row.name}\``;
    const cells = AUDIENCES.map((audience) => (row.audience.includes(audience) ? '✅' : '⛔'));
    return `| ${label} | ${row.chats.join(', ')} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...lines].join('\n');
}
