/**
 * Safe defaults (docs/privacy.md): a field whose name looks personal is masked in taps,
 * recordings and previews unless the document says otherwise. Names are matched by word part,
 * so `customer_email`, `cardNumber` and `client-ip` match while `zip`, `shipping` and
 * `hostname` do not.
 */

/** Word parts that make a field name look personal (and their plurals). */
const PERSONAL_PARTS: ReadonlySet<string> = new Set([
  'email',
  'emails',
  'phone',
  'phones',
  'card',
  'cards',
  'iban',
  'ibans',
  'ip',
  'ips',
  'ipv',
  'name',
  'names',
  'address',
  'addresses',
]);

/** The listed words, for docs and the editor's note. */
export const PERSONAL_WORDS = ['email', 'phone', 'card', 'iban', 'ip', 'name', 'address'] as const;

/** `cardNumber` -> [card, number]; `customer_email` -> [customer, email]; `IPAddress` -> [ip, address]; `ipv4` -> [ipv, 4]. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.toLowerCase());
}

/** True when one word part of the (last part of a dotted) name is a personal word. */
export function looksPersonal(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  for (const p of nameParts(last)) if (PERSONAL_PARTS.has(p)) return true;
  return false;
}
