/**
 * Completions for an expression being typed: the field (or `params.` name) under the caret,
 * completed from the fields known upstream and the document's params. Pure, so it is tested
 * without a browser; the input draws the list.
 */
import type { CheckContext } from '@sluice/shared';

export interface Completions {
  /** The range of the text the chosen item replaces. */
  from: number;
  to: number;
  items: string[];
}

const NAME_CHAR = /[A-Za-z0-9_.]/;
const MAX_ITEMS = 8;

export function completionsAt(text: string, caret: number, context: CheckContext): Completions | undefined {
  let from = caret;
  while (from > 0 && NAME_CHAR.test(text[from - 1]!)) from--;
  let to = caret;
  while (to < text.length && NAME_CHAR.test(text[to]!)) to++;
  const word = text.slice(from, caret);
  // Inside a string literal or a number, or nothing typed yet: nothing to offer.
  if (word === '' || /^[0-9]/.test(word) || insideString(text, from)) return undefined;
  const names = word.startsWith('params.')
    ? Object.keys(context.params).map((p) => `params.${p}`)
    : [...Object.keys(context.schema?.fields ?? {}), 'params.'];
  const items = names.filter((n) => n.startsWith(word) && n !== word).slice(0, MAX_ITEMS);
  return items.length > 0 ? { from, to, items } : undefined;
}

/** Whether position `at` is inside a quoted string (quotes before it are unbalanced). */
function insideString(text: string, at: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
  }
  return quote !== undefined;
}

/** The text with the item in place of the completed range, and where the caret goes. */
export function applyCompletion(text: string, c: Completions, item: string): { text: string; caret: number } {
  return { text: text.slice(0, c.from) + item + text.slice(c.to), caret: c.from + item.length };
}
