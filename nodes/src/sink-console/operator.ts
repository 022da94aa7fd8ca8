import type { Event } from '@sluice/shared';
import type { OperatorContext, OperatorFactory, SinkOperator } from '../sdk/operator.js';
import type { SinkConsoleConfig } from './definition.js';

/** Receives one line, without its newline. The runner passes one as `consoleWriter` in the context. */
export type ConsoleWriter = (line: string) => void;

export interface SinkConsoleOptions {
  /** Where lines go; default: the context's `consoleWriter`, else standard output. */
  writer?: ConsoleWriter;
}

/** The operator factory, with an injectable writer (tests, the server's console panel). */
export function createSinkConsole(options: SinkConsoleOptions = {}): OperatorFactory<SinkConsoleConfig> {
  return (ctx) => {
    const injected = options.writer ?? (ctx as OperatorContext<SinkConsoleConfig> & { consoleWriter?: ConsoleWriter }).consoleWriter;
    return new ConsoleSink(ctx.config, injected, ctx.show?.bind(ctx));
  };
}

export const sinkConsoleOperator = createSinkConsole();

class ConsoleSink implements SinkOperator {
  private printed = 0;
  private readonly limit: number;
  private readonly prefix: string;

  constructor(
    config: SinkConsoleConfig,
    private readonly writer: ConsoleWriter | undefined,
    /** The pipeline's privacy mask (docs/privacy.md): a console is a log people read. */
    private readonly show: ((e: Event) => Event) | undefined,
  ) {
    this.limit = config.limit ?? Number.POSITIVE_INFINITY;
    this.prefix = config.prefix ?? '';
  }

  private shown(e: Event): Event {
    return this.show ? this.show(e) : e;
  }

  process(batch: readonly Event[]): void {
    const n = Math.min(batch.length, this.limit - this.printed);
    if (n <= 0) return;
    this.printed += n;
    if (this.writer) {
      for (let i = 0; i < n; i++) this.writer(this.prefix + JSON.stringify(this.shown(batch[i]!)));
      return;
    }
    // One write per batch: a write per event makes stdout the bottleneck.
    let text = '';
    for (let i = 0; i < n; i++) text += `${this.prefix}${JSON.stringify(this.shown(batch[i]!))}\n`;
    process.stdout.write(text);
  }
}
