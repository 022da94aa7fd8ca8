/**
 * CSV (RFC 4180 plus the usual leniencies) and the typing rules of GRAPH_FORMAT.md. Pure, so
 * enrich reads CSV tables with the same rules as source.file.
 */

/**
 * Splits one record (it may hold newlines inside quotes) into raw field texts, or returns
 * undefined when it ends inside a quoted field (the record continues on the next line).
 * A quote is special only at the start of a field: elsewhere, and after a closing quote, it
 * is kept literally (lenient, like most spreadsheet exports need).
 */
export function splitCsvRecord(record: string, delimiter = ','): string[] | undefined {
  const fields: string[] = [];
  const n = record.length;
  let i = 0;
  for (;;) {
    if (record[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = record.indexOf('"', i);
        if (q === -1) return undefined;
        value += record.slice(i, q);
        if (record[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const d = record.indexOf(delimiter, i);
      const end = d === -1 ? n : d;
      value += record.slice(i, end);
      fields.push(value);
      if (d === -1) return fields;
      i = d + delimiter.length;
    } else {
      const d = record.indexOf(delimiter, i);
      if (d === -1) {
        fields.push(record.slice(i));
        return fields;
      }
      fields.push(record.slice(i, d));
      i = d + delimiter.length;
    }
  }
}

// A number as people write one: no leading zeros ("007" is an id, not 7), no hex, no "1,000".
const NUMBER_RE = /^[-+]?(?:(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * GRAPH_FORMAT.md typing: a value that reads as a number becomes a number, true/false a
 * boolean, empty null, anything else stays a string. Our readings (docs in README.md):
 * "007" stays a string (leading zeros mark codes); integers beyond 2^53 stay strings (card
 * numbers, ids would lose digits); TRUE/False are booleans too (spreadsheets write TRUE).
 */
export function typeCsvValue(raw: string): unknown {
  if (raw === '') return null;
  const c = raw.charCodeAt(0);
  // Fast path: most values are neither numbers nor booleans.
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (!NUMBER_RE.test(raw)) return raw;
    const n = Number(raw);
    if (!Number.isFinite(n)) return raw;
    if (Number.isInteger(n) && !Number.isSafeInteger(n) && !/[.eE]/.test(raw)) return raw;
    return n;
  }
  if (raw.length === 4 && raw.toLowerCase() === 'true') return true;
  if (raw.length === 5 && raw.toLowerCase() === 'false') return false;
  return raw;
}

/** Field names from the header row: empty names become `column_<n>`, repeats get `_2`, `_3`. */
export function csvHeader(fields: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((raw, i) => {
    const base = raw.trim() === '' ? `column_${i + 1}` : raw;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

/** One data record -> an object, or throws when it has more fields than the header. */
export function csvRow(header: readonly string[], fields: readonly string[]): Record<string, unknown> {
  if (fields.length > header.length) throw new Error(`${fields.length} fields but the header names ${header.length}`);
  const row: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const raw = fields[i];
    row[header[i]!] = raw === undefined ? null : typeCsvValue(raw);
  }
  return row;
}

/** A whole CSV text -> rows (tables for enrich). Throws with the line number on a bad record. */
export function parseCsv(text: string, delimiter = ','): Record<string, unknown>[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const rows: Record<string, unknown>[] = [];
  let header: string[] | undefined;
  let record: string | undefined;
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (record === undefined) {
      if (line === '') continue;
      record = line;
      startLine = i + 1;
    } else {
      record += `\n${line}`;
    }
    const fields = splitCsvRecord(record, delimiter);
    if (fields === undefined) continue;
    try {
      if (!header) header = csvHeader(fields);
      else rows.push(csvRow(header, fields));
    } catch (err) {
      throw new Error(`line ${startLine}: ${(err as Error).message}`);
    }
    record = undefined;
  }
  if (record !== undefined) throw new Error(`line ${startLine}: unterminated quoted field`);
  return rows;
}
