import { isVariant, VARIANTS, type VariantId } from './variants.js';

/** The command line of `npm run bench:gateway -- [options]`. Pure: unit-tested. */
export interface Options {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Worker processes per gateway (Plaza GATEWAY_WORKERS, Hive --fork, stock Apollo node:cluster). */
  workers: number;
  variants: VariantId[];
  graphs: ('guild' | 'plaza')[];
  /** Re-create and re-seed Plaza's benchmark database even if it is seeded. */
  reseed: boolean;
  /** Base name of the outputs in bench/results (gateway → gateway.json, .md, .svg). */
  out: string;
}

export const USAGE = `usage: npm run bench:gateway -- [options]
  --rounds N          alternating rounds (default 2, at least 1)
  --duration S        measured seconds per run (default 20)
  --warmup S          warm-up seconds before each measured run (default 5)
  --connections N     concurrent connections (default 50)
  --workers N         worker processes per gateway: Plaza GATEWAY_WORKERS=N, Hive --fork N (default 1)
  --only a,b          variants among ${VARIANTS.join(', ')} (default all)
  --graph g           guild, plaza or both (default both)
  --reseed            re-create and re-seed Plaza's benchmark database
  --out NAME          output base name in bench/results (default gateway; gateway-partial when
                      --only or --graph narrows the run, so the full results are not replaced)
Plaza's gateway gets the caller's environment: GATEWAY_EXECUTOR=plaza|apollo selects its executor.`;

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min}, got ${value ?? 'nothing'}`);
  return n;
}

export function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    rounds: 2,
    durationSeconds: 20,
    warmupSeconds: 5,
    connections: 50,
    workers: 1,
    variants: [...VARIANTS],
    graphs: ['guild', 'plaza'],
    reseed: false,
    out: '',
  };
  let narrowed = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const [name, inline] = flag.includes('=') ? (flag.split(/=(.*)/s, 2) as [string, string]) : [flag, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case '--rounds':
        o.rounds = positiveInt(name, value());
        break;
      case '--duration':
        o.durationSeconds = positiveInt(name, value());
        break;
      case '--warmup':
        o.warmupSeconds = positiveInt(name, value(), 0);
        break;
      case '--connections':
        o.connections = positiveInt(name, value());
        break;
      case '--workers':
        o.workers = positiveInt(name, value());
        break;
      case '--only': {
        const list = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const bad = list.filter((v) => !isVariant(v));
        if (list.length === 0 || bad.length > 0) throw new Error(`--only takes variants among ${VARIANTS.join(', ')}; got ${bad.join(', ') || 'nothing'}`);
        // Kept in the canonical order: the first one is the answers' reference.
        o.variants = VARIANTS.filter((v) => list.includes(v));
        narrowed = true;
        break;
      }
      case '--graph': {
        const g = value();
        if (g === 'both') o.graphs = ['guild', 'plaza'];
        else if (g === 'guild' || g === 'plaza') {
          o.graphs = [g];
          narrowed = true;
        } else throw new Error(`--graph takes guild, plaza or both; got ${g ?? 'nothing'}`);
        break;
      }
      case '--reseed':
        o.reseed = true;
        break;
      case '--out': {
        const v = value();
        if (!v || !/^[A-Za-z0-9._-]+$/.test(v)) throw new Error('--out takes a file base name (letters, digits, . _ -)');
        o.out = v;
        break;
      }
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (!o.out) o.out = narrowed ? 'gateway-partial' : 'gateway';
  return o;
}
