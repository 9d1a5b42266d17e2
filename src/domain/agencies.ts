/** The nine agencies of the joint meeting on cadre supervision (干部监督工作联席会议), in the document's order. */
export const AGENCY_CODES = ['ORG', 'CDI', 'COURT', 'PROC', 'PSB', 'SUP', 'FIN', 'AUD', 'PET'] as const;

/** One of the nine joint-meeting agency codes. */
export type AgencyCode = (typeof AGENCY_CODES)[number];

/** Chinese names per agency: the formal one first, then the short forms people type. */
export const AGENCY_NAMES_ZH: Readonly<Record<AgencyCode, readonly string[]>> = {
  ORG: ['县委组织部', '组织部'],
  CDI: ['县纪委', '纪委'],
  COURT: ['法院'],
  PROC: ['检察院'],
  PSB: ['公安局'],
  SUP: ['监察局'],
  FIN: ['财政局'],
  AUD: ['审计局'],
  PET: ['信访局'],
};

const BY_ZH_NAME: ReadonlyMap<string, AgencyCode> = new Map(
  AGENCY_CODES.flatMap((code) => AGENCY_NAMES_ZH[code].map((name) => [name, code] as const)),
);

/** Returns the agency for a code (any case, full-width letters too) or a Chinese name, else null; never throws. */
export function parseAgency(input: string): AgencyCode | null {
  // NFKC folds full-width letters (ＯＲＧ) typed on Chinese keyboards.
  const s = input.normalize('NFKC').trim();
  const upper = s.toUpperCase();
  const byCode = AGENCY_CODES.find((code) => code === upper);
  if (byCode) return byCode;
  // County-level names are often typed with the county prefix (县法院) or without it (纪委).
  return BY_ZH_NAME.get(s) ?? BY_ZH_NAME.get(s.replace(/^县/u, '')) ?? null;
}
