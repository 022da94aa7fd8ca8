/**
 * Sticky notes and groups: editor-only fields the engine ignores, checked all the same so a
 * shared file cannot carry a note the editor would choke on. Each note and group is parsed on
 * its own (a bad one never hides the others), then ids and group members are cross-checked.
 * Every problem names its place in the document, e.g. `groups[1].nodes[0]`.
 */
import type { Diagnostic } from '../diagnostic.js';
import { ANNOTATION_LIMITS, type NodeSpec } from './document.js';
import { groupSpecSchema, noteSpecSchema } from './document-schema.js';
import { describeIssue, formatPath } from './zod-issues.js';

const err = (code: string, message: string, path: string): Diagnostic => ({ severity: 'error', code, message, path });

export function validateAnnotations(doc: Record<string, unknown>, nodes: readonly Pick<NodeSpec, 'id'>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lists = [
    ['notes', doc.notes, noteSpecSchema, ANNOTATION_LIMITS.maxNotes],
    ['groups', doc.groups, groupSpecSchema, ANNOTATION_LIMITS.maxGroups],
  ] as const;
  // Notes and groups share one id space: the editor draws both as canvas items.
  const ids = new Map<string, string>();
  const nodeIds = new Set(nodes.map((n) => n.id));
  const grouped = new Map<string, string>();
  for (const [list, value, schema, max] of lists) {
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      out.push(err('wrong-type', `${list} is a list`, list));
      continue;
    }
    // Counted before parsing any item: an oversized list costs nothing more.
    if (value.length > max) {
      out.push(err('too-large', `${value.length} ${list}; the limit is ${max} ${list}`, list));
      continue;
    }
    for (const [i, raw] of value.entries()) {
      const parsed = schema.safeParse(raw, { reportInput: true });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const { message, missing } = describeIssue(issue);
          out.push(err(missing ? 'missing-field' : 'wrong-type', message, formatPath([list, i, ...issue.path])));
        }
        continue;
      }
      const item = parsed.data;
      const seen = ids.get(item.id);
      if (seen) out.push(err('duplicate-annotation-id', `"${item.id}" is already the id of ${seen}`, formatPath([list, i, 'id'])));
      else ids.set(item.id, `${formatPath([list, i])}`);
      if (list !== 'groups') continue;
      for (const [k, member] of (item.nodes as string[]).entries()) {
        const path = formatPath([list, i, 'nodes', k]);
        const other = grouped.get(member);
        if (!nodeIds.has(member)) out.push(err('unknown-group-member', `"${member}" is not a node of this document`, path));
        else if (other === item.id) out.push(err('duplicate-group-member', `"${member}" is listed twice in group "${item.id}"`, path));
        else if (other !== undefined)
          out.push(err('node-in-two-groups', `"${member}" is already in group "${other}": a node belongs to one group at most`, path));
        else grouped.set(member, item.id);
      }
    }
  }
  return out;
}
