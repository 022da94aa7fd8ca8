/** One place routes write the audit log from: the principal and address come from the request. */
import type { Context } from 'hono';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { clientAddress, principalOf } from '../auth/principal.js';

export async function audit(
  c: Context,
  log: AuditLog,
  e: Pick<AuditEntry, 'action' | 'pipelineId'> & Partial<Pick<AuditEntry, 'version' | 'summary'>>,
): Promise<void> {
  const who = principalOf(c);
  await log.append({
    at: new Date().toISOString(),
    actor: who.name,
    role: who.role,
    action: e.action,
    pipelineId: e.pipelineId,
    ...(e.version !== undefined ? { version: e.version } : {}),
    summary: e.summary ?? [],
    address: clientAddress(c),
  });
}
