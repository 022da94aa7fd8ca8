/**
 * What each role may do in the editor. The server enforces the same rules (a refused call
 * answers 403 with the reason); these only keep the UI from offering what would be refused.
 */
import type { Role } from '../api/client';

/** Change the graph: nodes, edges, config, params; deploy from the canvas; create, rename, delete. */
export const canEditGraph = (role: Role | string): boolean => role === 'admin' || role === 'editor';

/** Roll a pipeline back to an earlier version (business users may: they deploy their own changes). */
export const canRollback = (role: Role | string): boolean => role !== 'viewer';

/** Where opening a pipeline leads: business users work on its business page, everyone else on the canvas. */
export const openRouteFor = (role: Role | string, id: string) =>
  role === 'business' ? ({ page: 'business', id } as const) : ({ page: 'editor', id } as const);
