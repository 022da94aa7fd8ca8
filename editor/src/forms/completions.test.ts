import { describe, expect, it } from 'vitest';
import { applyCompletion, completionsAt } from './completions';

const context = {
  params: { surge_threshold: 'number' as const, surge_pct: 'number' as const, region: 'string' as const },
  schema: {
    fields: { orders: 'number' as const, order_id: 'string' as const, base_price: 'number' as const, 'user.country': 'string' as const },
    open: false,
  },
};

describe('expression completions', () => {
  it('completes the field under the caret from the upstream schema', () => {
    const text = 'ord >= 10';
    expect(completionsAt(text, 3, context)).toEqual({ from: 0, to: 3, items: ['orders', 'order_id'] });
    expect(applyCompletion(text, completionsAt(text, 3, context)!, 'orders')).toEqual({ text: 'orders >= 10', caret: 6 });
  });

  it('completes params after `params.` and offers `params.` itself', () => {
    expect(completionsAt('orders >= params.su', 19, context)!.items).toEqual(['params.surge_threshold', 'params.surge_pct']);
    expect(completionsAt('pa', 2, context)!.items).toEqual(['params.']);
  });

  it('completes dotted names, and the whole word when the caret is in its middle', () => {
    expect(completionsAt('user.c', 6, context)!.items).toEqual(['user.country']);
    const c = completionsAt('base_pr * 2', 4, context)!;
    expect([c.from, c.to, c.items]).toEqual([0, 7, ['base_price']]);
    expect(applyCompletion('base_pr * 2', c, 'base_price').text).toBe('base_price * 2');
  });

  it('offers nothing inside a string, after a number, for a complete name, or for an unknown prefix', () => {
    expect(completionsAt('category == "ord', 16, context)).toBeUndefined();
    expect(completionsAt('12', 2, context)).toBeUndefined();
    expect(completionsAt('orders', 6, context)).toBeUndefined();
    expect(completionsAt('zzz', 3, context)).toBeUndefined();
    expect(completionsAt('orders > ', 9, context)).toBeUndefined();
  });
});
