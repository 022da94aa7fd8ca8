/**
 * Reads an enrich table file once, when the operator is created. Tables are reference data
 * (campaigns, SKUs, customers) that fit in memory; a malformed file fails the run at start with
 * the line, rather than dropping events for a row that silently went missing.
 */
import { readFile } from 'node:fs/promises';
import { parseCsv } from '../sdk/csv.js';

export async function loadTableFile(path: string, shown: string, format?: 'jsonl' | 'csv'): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read table ${shown}: ${(err as Error).message}`);
  }
  const csv = format ? format === 'csv' : /\.(csv|tsv)$/i.test(shown);
  try {
    return csv ? parseCsv(text, /\.tsv$/i.test(shown) ? '\t' : ',') : parseJsonl(text);
  } catch (err) {
    throw new Error(`table ${shown}: ${(err as Error).message}`);
  }
}

function parseJsonl(text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new Error(`line ${i + 1}: malformed JSON: ${(err as Error).message}`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new Error(`line ${i + 1}: not a JSON object`);
    rows.push(row as Record<string, unknown>);
  }
  return rows;
}
