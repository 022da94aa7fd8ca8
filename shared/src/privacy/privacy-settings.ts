/**
 * A document's `privacy` section (docs/privacy.md): whether the server records the pipeline's
 * source events for previews, how many and for how long, and what is masked before anything
 * is recorded, tapped or previewed. Optional: a document without it gets the safe defaults.
 */
import { z } from 'zod';
import type { Diagnostic } from '../diagnostic.js';
import { MASK_FIELD_PATH, type MaskRule, maskRuleProblems, maskRuleSchema } from './mask-rule.js';

export interface RecordingSettings {
  /** Record this pipeline's source events (default true). */
  enabled?: boolean;
  /** Events kept per source (default and ceiling: the server's capacity, 10,000). */
  maxEvents?: number;
  /** Recorded events are deleted this long after they were recorded (default: kept until pushed out or deleted). */
  ttlSeconds?: number;
}

export interface PrivacySettings {
  recording?: RecordingSettings;
  /** Rules applied, in order, to what is recorded, tapped and previewed. */
  mask?: MaskRule[];
  /** Mask fields whose names look personal (personal-fields.ts) with `redact` (default true). */
  maskPersonalFields?: boolean;
  /** Fields shown as they are although their names look personal. */
  reveal?: string[];
}

const fieldName = z.string().regex(MASK_FIELD_PATH, { error: 'a field name, dotted for nested fields (customer.email)' });

export const privacySchema = z
  .looseObject({
    recording: z
      .looseObject({
        enabled: z.boolean().optional().meta({ description: 'Record source events for previews (default true)' }),
        maxEvents: z
          .number()
          .int()
          .min(1)
          .optional()
          .meta({ description: "Events kept per source (default and ceiling: the server's capacity)" }),
        ttlSeconds: z
          .number()
          .int()
          .min(1)
          .optional()
          .meta({ description: 'Recorded events are deleted this many seconds after being recorded' }),
      })
      .optional(),
    mask: z.array(maskRuleSchema).max(1000).optional().meta({ description: 'Masking before anything is recorded, tapped or previewed' }),
    maskPersonalFields: z
      .boolean()
      .optional()
      .meta({ description: 'Mask fields whose names look personal (email, phone, card, iban, ip, name, address); default true' }),
    reveal: z.array(fieldName).max(1000).optional().meta({ description: 'Fields shown as they are although their names look personal' }),
  })
  .meta({ description: 'Recording, retention and masking of personal data (docs/privacy.md)' });

/** The settings with their defaults filled in. */
export interface ResolvedPrivacy {
  recording: { enabled: boolean; maxEvents?: number; ttlSeconds?: number };
  mask: MaskRule[];
  maskPersonalFields: boolean;
  reveal: string[];
}

export function resolvePrivacy(p: PrivacySettings | undefined): ResolvedPrivacy {
  const r = p?.recording ?? {};
  return {
    recording: {
      enabled: r.enabled ?? true,
      ...(r.maxEvents !== undefined ? { maxEvents: r.maxEvents } : {}),
      ...(r.ttlSeconds !== undefined ? { ttlSeconds: r.ttlSeconds } : {}),
    },
    mask: p?.mask ?? [],
    maskPersonalFields: p?.maskPersonalFields ?? true,
    reveal: p?.reveal ?? [],
  };
}

/** Cross-field problems of a (shape-valid) privacy section, as document diagnostics. */
export function validatePrivacy(p: PrivacySettings | undefined): Diagnostic[] {
  if (!p?.mask) return [];
  return maskRuleProblems(p.mask, 'privacy.mask').map((x) => ({
    severity: x.severity ?? 'error',
    code: x.code ?? 'privacy',
    message: x.message,
    path: x.path,
  }));
}
