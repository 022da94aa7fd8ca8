import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown, plainText, safeHref } from './markdown';

const html = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

describe('node help markdown', () => {
  it('renders headings, lists, code, emphasis and links', () => {
    expect(html('## Ports\n\n- `out`: the *kept* events\n- `error`: **bad** ones\n\n1. one\n2. two')).toBe(
      '<div><h4>Ports</h4><ul><li><code>out</code>: the <em>kept</em> events</li><li><code>error</code>: <strong>bad</strong> ones</li></ul><ol><li>one</li><li>two</li></ol></div>',
    );
    expect(html('See [the docs](https://example.com/x) for more.')).toBe(
      '<div><p>See <a href="https://example.com/x" target="_blank" rel="noopener noreferrer">the docs</a> for more.</p></div>',
    );
    expect(html('```\na < b\n```')).toBe('<div><pre><code>a &lt; b</code></pre></div>');
  });

  it('joins a paragraph’s lines, and leaves underscores inside words alone', () => {
    expect(html('emits `window_start`\nand window_end, _once_.')).toBe(
      '<div><p>emits <code>window_start</code> and window_end, <em>once</em>.</p></div>',
    );
  });

  it('never passes markup or script addresses through', () => {
    expect(html('<img src=x onerror=alert(1)> [x](javascript:steal)')).toBe('<div><p>&lt;img src=x onerror=alert(1)&gt; x</p></div>');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,x')).toBeUndefined();
    expect(safeHref('//evil.example')).toBeUndefined();
    expect(safeHref('mailto:a@b.c')).toBe('mailto:a@b.c');
  });

  it('gives a tooltip the text without its marks', () => {
    expect(plainText('Groups by `keyBy`, **once**; see [docs](https://x.y).')).toBe('Groups by keyBy, once; see docs.');
  });
});
