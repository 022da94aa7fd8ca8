import { describe, expect, it } from 'vitest';
import { looksPersonal, nameParts } from './personal-fields.js';

describe('looksPersonal', () => {
  it('matches the personal words as word parts, in any case and spelling', () => {
    const yes = [
      'email',
      'customer_email',
      'cardNumber',
      'card_id',
      'CARD',
      'client-ip',
      'IPAddress',
      'ipv4',
      'iban',
      'phone_number',
      'first_name',
      'billingAddress',
      'user.email',
      'emails',
    ];
    expect(yes.filter((n) => !looksPersonal(n))).toEqual([]);
  });

  it('leaves names where the word is only inside another word', () => {
    const no = ['zip', 'shipping', 'hostname', 'username', 'cardinality', 'recipe', 'amount', 'ts', 'customer.tier', 'mailbox'];
    expect(no.filter((n) => looksPersonal(n))).toEqual([]);
  });

  it('splits names into lower-case parts', () => {
    expect(nameParts('customerEmailAddress')).toEqual(['customer', 'email', 'address']);
    expect(nameParts('IPAddress')).toEqual(['ip', 'address']);
    expect(nameParts('card_number-2')).toEqual(['card', 'number', '2']);
  });
});
