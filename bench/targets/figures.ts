/** What a bench target reports when asked: the statements it sent and the CPU its process used so far. */

/** The reply to a `{ type: 'figures' }` request. */
export interface TargetFigures {
  type: 'figures';
  /** Statements sent to the database (queries, BEGIN, COMMIT) since the target started. */
  statements: number;
  /** User + system CPU of the target's process since it started, in microseconds. */
  cpuMicros: number;
}

/** The figures of this process, given its statement count. */
export function figures(statements: number): TargetFigures {
  const cpu = process.cpuUsage();
  return { type: 'figures', statements, cpuMicros: cpu.user + cpu.system };
}
