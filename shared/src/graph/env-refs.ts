// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the syntax this module reads, not a template
/**
 * `"${env:NAME}"` in a config string (GRAPH_FORMAT.md: a connection string or token is written
 * so and resolved at run time): the document never holds the value. Resolved only in the
 * connection fields a node type lists (`envRefFields`: URLs, user names), whole
 * (`"${env:SHOP_DB_URL}"`) or inside (`"postgres://shop:${env:SHOP_DB_PASSWORD}@db/shop"`).
 * Anywhere else (a path, an expression, a prefix) a reference would let a document read or probe
 * the server's environment, so it is refused (docs/secrets.md).
 */
const REF = /\$\{env:([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MARK = '${env:';

/** Top-level string fields of `config` that hold a reference, with the names they read. */
export function envRefFields(config: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return out;
  for (const [field, v] of Object.entries(config)) {
    if (typeof v !== 'string' || !v.includes(MARK)) continue;
    out.set(
      field,
      [...v.matchAll(REF)].map((m) => m[1]!),
    );
  }
  return out;
}

/**
 * Config paths (`config.a.b[0]`) of every string, at any depth, that holds `${env:` outside the
 * allowed top-level fields.
 */
export function misplacedEnvRefs(config: unknown, allowed: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (v: unknown, at: string, top: boolean, key: string) => {
    if (typeof v === 'string') {
      if (v.includes(MARK) && !(top && allowed.includes(key))) out.push(at);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${at}[${i}]`, false, '');
    } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`, at === 'config', k);
  };
  walk(config, 'config', false, '');
  return out;
}

/** Why a field's references are malformed (a bad name, an unclosed `${env:`), or undefined. */
export function envRefProblem(value: string): string | undefined {
  const names = [...value.matchAll(REF)].map((m) => m[1]!);
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) return `\${env:${bad}}: an environment variable name is letters, digits and _, not starting with a digit`;
  if (value.replace(REF, '').includes(MARK)) return 'an ${env: reference is not closed with }';
  return undefined;
}

/**
 * The config with every reference in an allowed field replaced by the variable's value from
 * `env`; `missing` lists `field: NAME` for each variable not set; `values` the values read (to
 * redact them from messages). References elsewhere stay as text: they never read the environment.
 */
export function resolveEnvRefs(
  config: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  allowed: readonly string[],
): { config: Record<string, unknown>; missing: string[]; values: string[] } {
  const refs = [...envRefFields(config).keys()].filter((f) => allowed.includes(f));
  if (refs.length === 0) return { config, missing: [], values: [] };
  const out = { ...config };
  const missing: string[] = [];
  const values: string[] = [];
  for (const field of refs) {
    out[field] = (config[field] as string).replace(REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing.push(`${field}: ${name}`);
      else values.push(v);
      return v ?? '';
    });
  }
  return { config: out, missing, values };
}
