import { describe, expect, it } from 'vitest';
import { canEditGraph, canRollback, openRouteFor } from './roles';

describe('roles in the editor', () => {
  it('lets editors and admins change graphs; business users roll back; viewers only read', () => {
    expect(['admin', 'editor', 'business', 'viewer'].map(canEditGraph)).toEqual([true, true, false, false]);
    expect(['admin', 'editor', 'business', 'viewer'].map(canRollback)).toEqual([true, true, true, false]);
  });

  it('opens a pipeline on its business page for business users', () => {
    expect(openRouteFor('business', 'pricing')).toEqual({ page: 'business', id: 'pricing' });
    expect(openRouteFor('viewer', 'pricing')).toEqual({ page: 'editor', id: 'pricing' });
    expect(openRouteFor('admin', 'pricing')).toEqual({ page: 'editor', id: 'pricing' });
  });
});
