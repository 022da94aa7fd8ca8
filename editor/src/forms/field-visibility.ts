/**
 * Config fields a node's form leaves out for what the rest of its config says: a tumbling window
 * has no slide or gap, a session no size or slide (the fields the window node's validation
 * names per type, nodes/src/window/definition.ts). A field that holds a value stays, so the
 * warning that it is ignored points at something the user can clear.
 */
const WINDOW_FIELDS: Record<string, readonly string[]> = {
  tumbling: ['size'],
  sliding: ['size', 'slide'],
  session: ['gap'],
};
const WINDOW_TIMING = ['size', 'slide', 'gap'];

export function hiddenConfigFields(type: string, config: Record<string, unknown>): ReadonlySet<string> {
  if (type !== 'window') return EMPTY;
  const needed = WINDOW_FIELDS[String(config.type)];
  if (!needed) return EMPTY;
  return new Set(WINDOW_TIMING.filter((f) => !needed.includes(f) && config[f] === undefined));
}

const EMPTY: ReadonlySet<string> = new Set();
