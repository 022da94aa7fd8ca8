/** Reads a (possibly dotted) field of an event, own properties only; missing reads as null. */
export type FieldReader = (event: Readonly<Record<string, unknown>>) => unknown;

export function fieldReader(path: string): FieldReader {
  const parts = path.split('.');
  if (parts.length === 1) return (e) => (Object.hasOwn(e, path) ? e[path] : null);
  return (e) => {
    let v: unknown = e;
    for (const p of parts) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return null;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}
