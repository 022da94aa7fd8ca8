// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the syntax this module reads, not a template
/**
 * `"${env:NAME}"` in a config string (GRAPH_FORMAT.md: a connection string or token is written
 * so and resolved at run time): the document never holds the value. Supported in top-level
 * string fields of a node's config, whole (`"${env:SHOP_DB_URL}"`) or inside
 * (`"postgres://shop:${env:SHOP_DB_PASSWORD}@db/shop"`). The validator checks such a field's
 * shape only when the value is known, at deploy (docs/secrets.md).
 */
const REF = /\$\{env:([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Top-level string fields of `config` that hold a reference, with the names they read. */
export function envRefFields(config: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return out;
  for (const [field, v] of Object.entries(config)) {
    if (typeof v !== 'string' || !v.includes('${env:')) continue;
    out.set(
      field,
      [...v.matchAll(REF)].map((m) => m[1]!),
    );
  }
  return out;
}

/** Why a field's references are malformed (a bad name, an unclosed `${env:`), or undefined. */
export function envRefProblem(value: string): string | undefined {
  const names = [...value.matchAll(REF)].map((m) => m[1]!);
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) return `\${env:${bad}}: an environment variable name is letters, digits and _, not starting with a digit`;
  if (value.replace(REF, '').includes('${env:')) return 'an ${env: reference is not closed with }';
  return undefined;
}

/**
 * The config with every reference replaced by the variable's value from `env`; `missing` lists
 * `field: NAME` for each variable not set.
 */
export function resolveEnvRefs(config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): { config: Record<string, unknown>; missing: string[] } {
  const refs = envRefFields(config);
  if (refs.size === 0) return { config, missing: [] };
  const out = { ...config };
  const missing: string[] = [];
  for (const field of refs.keys()) {
    out[field] = (config[field] as string).replace(REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing.push(`${field}: ${name}`);
      return v ?? '';
    });
  }
  return { config: out, missing };
}
