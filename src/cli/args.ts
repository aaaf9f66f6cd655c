// A small argv parser: `--name value`, `--flag`, and positionals. Unknown options are errors.
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | true>;
}

export function parseArgs(argv: string[], known: { flags?: string[]; values?: string[] }): ParsedArgs {
  const flags = new Set(known.flags ?? []);
  const values = new Set(known.values ?? []);
  const out: ParsedArgs = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out.positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2);
    if (flags.has(name)) out.options[name] = true;
    else if (values.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      out.options[name] = v;
    } else throw new Error(`unknown option --${name}`);
  }
  return out;
}

export function intOption(o: ParsedArgs['options'], name: string, fallback: number): number {
  const v = o[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got '${v}'`);
  return n;
}
