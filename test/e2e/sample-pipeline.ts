/** A small never-deployed pipeline and its sample orders, for the pinned-sample, preview-debug and test-case browser tests. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';

/** total = quantity * price; big when total >= threshold; a total that cannot be computed goes to the error port. */
export function shopDoc(id: string, threshold = 100, settings?: Record<string, unknown>): PipelineDocument {
  return {
    format: 'sluice/v1',
    id,
    name: 'Shop',
    params: { threshold: { type: 'number', value: threshold, exposed: true, label: 'Smallest big order', min: 0, max: 1000 } },
    nodes: [
      { id: 'in', type: 'source.file', label: 'Orders', config: { path: 'orders.jsonl', timeField: 'ts' }, position: { x: 0, y: 0 } },
      { id: 'total', type: 'map', label: 'Total', config: { set: { total: 'quantity * price' } }, position: { x: 260, y: 0 } },
      { id: 'big', type: 'filter', label: 'Big', config: { expression: 'total >= params.threshold' }, position: { x: 520, y: 0 } },
      { id: 'shown', type: 'sink.console', label: 'Shown', config: { prefix: 'big: ' }, position: { x: 780, y: 0 } },
      { id: 'errs', type: 'sink.console', label: 'Errors', config: { prefix: 'err: ' }, position: { x: 520, y: 220 } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'total' },
      { id: 'e2', source: 'total', target: 'big' },
      { id: 'e3', source: 'big', target: 'shown' },
      { id: 'e4', source: 'total', sourcePort: 'error', target: 'errs' },
    ],
    ...(settings ? { settings } : {}),
  } as PipelineDocument;
}

// Totals: A 60 (not big), B 200, C cannot be computed ("many" * 10), D 100.
export const SHOP_ORDERS = [
  { sku: 'A', quantity: 2, price: 30, ts: 1000, customer_email: 'a@example.com' },
  { sku: 'B', quantity: 5, price: 40, ts: 2000, customer_email: 'b@example.com' },
  { sku: 'C', quantity: 'many', price: 10, ts: 3000 },
  { sku: 'D', quantity: 4, price: 25, ts: 4000 },
];
export const SHOP_JSONL = SHOP_ORDERS.map((e) => JSON.stringify(e)).join('\n');

// biome-ignore lint/suspicious/noExplicitAny: answers of many routes, read by field in the tests
export async function apiCall(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, json: await r.json() };
}

export async function createShop(base: string, id: string, threshold = 100, settings?: Record<string, unknown>): Promise<void> {
  expect((await apiCall(base, 'POST', '/api/pipelines', shopDoc(id, threshold, settings))).status).toBe(201);
}

export const textOf = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .textContent()
    .then(
      (t) => t ?? '',
      () => '',
    );
