/**
 * A pipeline's privacy (docs/privacy.md), built once per deploy from its document: whether and
 * how much the server records, and the mask applied to every event before it is recorded,
 * tapped or shown in a preview answer: the document's own rules first, then the safe default
 * that redacts fields whose names look personal.
 */
import { type Event, type MaskRule, type PipelineDocument, type ResolvedPrivacy, resolvePrivacy } from '@sluice/shared';
import { compileMask } from '@sluice/nodes/masking';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { rememberSecret } from '../secrets/redact.js';
import { personalMask } from './personal-mask.js';

/** How a field was masked, for the editor's note. */
export interface MaskedField {
  field: string;
  /** The rule's op, or `personal` for the name-based default. */
  how: MaskRule['op'] | 'personal';
}

export interface PipelinePrivacy {
  readonly settings: ResolvedPrivacy;
  /** The event as it may be recorded, tapped or shown; `masked` collects the fields masked by the default. */
  mask(e: Event, masked?: Set<string>): Event;
  /** The name-based default alone (off when the document turns it off): for what nodes computed from masked inputs. */
  maskByName(e: Event): Event;
  /** Fields the document's rules mask (always), for the editor's note. */
  readonly ruleFields: readonly MaskedField[];
}

export interface PipelinePrivacyOptions {
  /** A secret's value (default: SLUICE_SECRET_<name>); undefined when unset. */
  secret?: (name: string) => string | undefined;
  /**
   * An hmac rule whose secret is unset: `fail` (a deploy, which must not start) or `redact`
   * (a run that is already going, resumed by a restarted server: masking fails closed).
   */
  missingSecret?: 'fail' | 'redact';
}

export class PrivacySecretMissing extends Error {
  readonly code = 'privacy-secret-missing';
}

/**
 * Set on events a worker masked before publishing them (remote taps): the server does not apply
 * the rules again (an hmac of an hmac would differ from what a local tap shows); the name-based
 * default, idempotent, still runs to tell which fields it masked.
 */
export const ALREADY_MASKED: unique symbol = Symbol('sluice.alreadyMasked');

const fromEnv = (name: string): string | undefined => process.env[secretEnvVar(name)];

export function pipelinePrivacy(doc: Pick<PipelineDocument, 'privacy'>, o: PipelinePrivacyOptions = {}): PipelinePrivacy {
  const settings = resolvePrivacy(doc.privacy);
  const secretOf = o.secret ?? fromEnv;
  const rules = settings.mask.map((r): MaskRule => {
    if (r.op !== 'hmac' || (r.keySecret && secretOf(r.keySecret) !== undefined)) return r;
    if ((o.missingSecret ?? 'fail') === 'fail')
      throw new PrivacySecretMissing(
        `privacy.mask "${r.field}" (hmac): secret ${r.keySecret} is not set: set the environment variable ${secretEnvVar(r.keySecret ?? '')} for the server`,
      );
    return { field: r.field, op: 'redact' };
  });
  const ruleMask = compileMask(rules, (name) => {
    const v = secretOf(name)!;
    rememberSecret(v);
    return v;
  });
  const skip = new Set([...settings.reveal, ...settings.mask.map((r) => r.field)]);
  const personal = settings.maskPersonalFields ? personalMask({ skip }) : undefined;
  return {
    settings,
    ruleFields: settings.mask.map((r) => ({ field: r.field, how: r.op })),
    maskByName: personal ? (e) => personal(e) : (e) => e,
    mask: (e, masked) => {
      const ruled = (e as { [ALREADY_MASKED]?: boolean })[ALREADY_MASKED] ? e : ruleMask(e);
      return personal ? personal(ruled, masked) : ruled;
    },
  };
}
