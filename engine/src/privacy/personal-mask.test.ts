import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { personalMask } from './personal-mask.js';
import { pipelinePrivacy } from './pipeline-privacy.js';

describe('personalMask', () => {
  it('redacts personal-looking fields at any depth, in lists too, copying only what changes', () => {
    const shared = Object.freeze({ sku: 'A1' });
    const e = Object.freeze({
      order: 1,
      customer: Object.freeze({ name: 'Ada', tier: 'gold' }),
      items: Object.freeze([Object.freeze({ owner_email: 'a@b.c' }), shared]),
      phone: null,
      product: shared,
      [EVENT_TIME]: 5,
    }) as unknown as Event;
    const masked = new Set<string>();
    const out = personalMask({ skip: new Set() })(e, masked) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(out))).toEqual({
      order: 1,
      customer: { name: '***', tier: 'gold' },
      items: [{ owner_email: '***' }, { sku: 'A1' }],
      phone: null,
      product: { sku: 'A1' },
    });
    expect(out.product).toBe(shared);
    expect((out.items as unknown[])[1]).toBe(shared);
    expect(out[EVENT_TIME as unknown as string]).toBe(5);
    expect([...masked].sort()).toEqual(['customer.name', 'items.owner_email']);
  });

  it('passes an event with nothing personal as it is', () => {
    const e = { a: 1, b: { c: 2 } } as unknown as Event;
    expect(personalMask({ skip: new Set() })(e)).toBe(e);
  });
});

describe('pipelinePrivacy', () => {
  it("applies the document's rules, then the default to the fields no rule or reveal names", () => {
    const p = pipelinePrivacy(
      { privacy: { mask: [{ field: 'card', op: 'hmac', keySecret: 'K', length: 8 }], reveal: ['contact.email'] } },
      // printf '%s' 4111 | openssl dgst -sha256 -hmac test-key-123 -> 11298b0d...
      { secret: (n) => (n === 'K' ? 'test-key-123' : undefined) },
    );
    const out = p.mask({ card: '4111', contact: { email: 'x@y.z' }, ip: '10.0.0.1' } as unknown as Event);
    expect(out).toEqual({ card: '11298b0d', contact: { email: 'x@y.z' }, ip: '***' });
    expect(p.settings.recording).toEqual({ enabled: true });
  });

  it('an unset hmac key fails a deploy, and redacts for a run already going', () => {
    const doc = { privacy: { mask: [{ field: 'card', op: 'hmac' as const, keySecret: 'NOPE' }] } };
    expect(() => pipelinePrivacy(doc, { secret: () => undefined })).toThrow(
      /secret NOPE is not set: set the environment variable SLUICE_SECRET_NOPE/,
    );
    const p = pipelinePrivacy(doc, { secret: () => undefined, missingSecret: 'redact' });
    expect(p.mask({ card: '4111' } as unknown as Event)).toEqual({ card: '***' });
  });
});
