/**
 * Where JSON text stops being JSON (Node 20's JSON.parse does not say): a small iterative
 * scanner, run only after JSON.parse has failed. Returns a 0-based offset.
 */
type Want = 'value' | 'key' | 'colon' | 'comma-or-close' | 'value-or-close' | 'key-or-close' | 'end';

export function jsonErrorOffset(text: string): number {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  // What the scanner expects next.
  let want: Want = 'value';
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const afterValue = (): Want => (stack.length === 0 ? 'end' : 'comma-or-close');
  for (;;) {
    ws();
    if (i >= text.length) return want === 'end' ? -1 : i;
    const c = text[i]!;
    switch (want) {
      case 'end':
        return i;
      case 'colon':
        if (c !== ':') return i;
        i++;
        want = 'value';
        continue;
      case 'comma-or-close': {
        const top = stack[stack.length - 1];
        if (c === ',') {
          i++;
          want = top === '{' ? 'key' : 'value';
        } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
          i++;
          stack.pop();
          want = afterValue();
        } else return i;
        continue;
      }
      case 'key':
      case 'key-or-close':
        if (c === '}' && want === 'key-or-close') {
          i++;
          stack.pop();
          want = afterValue();
          continue;
        }
        if (c !== '"') return i;
        {
          const end = stringEnd(text, i);
          if (end < 0) return i;
          i = end;
        }
        want = 'colon';
        continue;
      default: {
        if (c === ']' && want === 'value-or-close') {
          i++;
          stack.pop();
          want = afterValue();
          continue;
        }
        if (c === '{') {
          stack.push('{');
          i++;
          want = 'key-or-close';
          continue;
        }
        if (c === '[') {
          stack.push('[');
          i++;
          want = 'value-or-close';
          continue;
        }
        if (c === '"') {
          const end = stringEnd(text, i);
          if (end < 0) return i;
          i = end;
          want = afterValue();
          continue;
        }
        const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
        if (!m) return i;
        i += m[0].length;
        want = afterValue();
      }
    }
  }
}

function stringEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
    else if (c === '\n') return -1;
  }
  return -1;
}
