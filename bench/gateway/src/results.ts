import type { RunRecord, Target, VariantSummary } from './stats.js';

/** bench/results/gateway.json: everything a report or plot is generated from. */
export interface Results {
  generatedAt: string;
  /** The command line of the run. */
  command: string;
  options: { rounds: number; durationSeconds: number; warmupSeconds: number; connections: number; workers: number; variants: string[]; graphs: string[] };
  machine: { cpuModel: string; cores: number; memoryGb: number; os: string; node: string; loadAverageAtStart: number[] };
  versions: Record<string, string>;
  graphs: GraphResult[];
}

export interface GraphResult {
  id: 'guild' | 'plaza';
  title: string;
  details: Record<string, unknown>;
  /** The answer check before loading: sizes of the reference answers, and what differed. */
  answers: { requests: number; referenceBytes: number; referenceFrom: string; mismatches: string[] };
  variants: Record<string, { command: string; cwd: string; env: Record<string, string> }>;
  runs: RunRecord[];
  summary: VariantSummary[];
  targets: Target[];
}
