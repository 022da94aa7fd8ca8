/**
 * A small markdown renderer for node help: headings, lists, code (inline and fenced), emphasis
 * and links. It builds React elements from the text, never HTML, so help text (a plugin's
 * included) cannot inject markup; links open in a new tab with rel="noopener noreferrer", and
 * only http(s), mailto and in-page addresses become links.
 */
import type { ReactNode } from 'react';

type Block =
  | { kind: 'p'; text: string }
  | { kind: 'h'; level: number; text: string }
  | { kind: 'ul' | 'ol'; items: string[] }
  | { kind: 'code'; text: string };

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const FENCE = /^\s*```/;

/** The text's blocks, line by line; a blank line ends a paragraph or a list. */
export function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  const endPara = () => {
    if (para.length > 0) blocks.push({ kind: 'p', text: para.join(' ') });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      endPara();
      const code: string[] = [];
      for (i++; i < lines.length && !FENCE.test(lines[i]!); i++) code.push(lines[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (heading) {
      endPara();
      blocks.push({ kind: 'h', level: heading[1]!.length, text: heading[2]! });
    } else if (bullet || numbered) {
      endPara();
      const kind = bullet ? 'ul' : 'ol';
      const last = blocks.at(-1);
      const item = (bullet ?? numbered)![1]!;
      if (last?.kind === kind) last.items.push(item);
      else blocks.push({ kind, items: [item] });
    } else if (line.trim() === '') {
      endPara();
      // A blank line ends a list too: the next item starts a new one.
      blocks.push({ kind: 'p', text: '' });
    } else {
      const last = blocks.at(-1);
      // An indented line goes on with the list item above it.
      if ((last?.kind === 'ul' || last?.kind === 'ol') && para.length === 0 && /^\s+\S/.test(line))
        last.items[last.items.length - 1] += ` ${line.trim()}`;
      else para.push(line.trim());
    }
  }
  endPara();
  return blocks.filter((b) => b.kind !== 'p' || b.text !== '');
}

/** `code`, **strong**, *em* or _em_ (not inside a word: `window_end` stays as it is), [text](url). */
const INLINE =
  /`([^`\n]+)`|\*\*([^*\n]+?)\*\*|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(?<![\w])_(?!\s)([^_\n]+?)_(?![\w])|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

/** Addresses that may become links: no `javascript:` or `data:`. */
export function safeHref(url: string): string | undefined {
  if (/^(https?:|mailto:)/i.test(url)) return url;
  if (/^[#/]/.test(url) && !url.startsWith('//')) return url;
  return undefined;
}

export function renderInline(text: string, key = 'i'): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    const k = `${key}-${n++}`;
    const [, code, strong, em, em2, linkText, url] = m;
    if (code !== undefined) out.push(<code key={k}>{code}</code>);
    else if (strong !== undefined) out.push(<strong key={k}>{renderInline(strong, k)}</strong>);
    else if (em !== undefined || em2 !== undefined) out.push(<em key={k}>{renderInline((em ?? em2)!, k)}</em>);
    else {
      const href = safeHref(url!);
      out.push(
        href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer">
            {renderInline(linkText!, k)}
          </a>
        ) : (
          linkText
        ),
      );
    }
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** The text without markdown marks, for a tooltip (`title`), which cannot hold markup. */
export const plainText = (text: string): string =>
  text
    .replace(/\[([^\]\n]+)\]\([^)\s]+\)/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/\*\*([^*\n]+?)\*\*/g, '$1')
    .replace(/^#{1,6}\s+/gm, '');

const HEADINGS = ['h3', 'h4', 'h5', 'h6'] as const;

export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className}>
      {parseBlocks(text).map((b, i) => {
        const k = `b${i}`;
        switch (b.kind) {
          case 'p':
            return <p key={k}>{renderInline(b.text, k)}</p>;
          case 'h': {
            // The panel's title is its h2: help headings sit below it.
            const H = HEADINGS[Math.min(b.level, HEADINGS.length) - 1]!;
            return <H key={k}>{renderInline(b.text, k)}</H>;
          }
          case 'code':
            return (
              <pre key={k}>
                <code>{b.text}</code>
              </pre>
            );
          default: {
            const L = b.kind;
            return (
              <L key={k}>
                {b.items.map((item, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: items are static text
                  <li key={j}>{renderInline(item, `${k}-${j}`)}</li>
                ))}
              </L>
            );
          }
        }
      })}
    </div>
  );
}
