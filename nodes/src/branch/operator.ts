import { compileExpression, type CompiledExpression, type Event } from '@sluice/shared';
import { isEventError, NotBooleanError } from '../sdk/expression-errors.js';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import type { BranchConfig } from './definition.js';

export const branchOperator: OperatorFactory<BranchConfig> = (ctx) => {
  const env = { params: ctx.params, now: ctx.now };
  const ports = ctx.config.routes.map((r) => r.port);
  const tests = ctx.config.routes.map((r) => compileExpression(r.expression, env));
  return new Branch(ports, tests);
};

class Branch implements Operator {
  /** Each event goes to one port (the first route that matches), as it came. */
  readonly passesOwnership = true;

  constructor(
    private readonly ports: readonly string[],
    private readonly tests: readonly CompiledExpression[],
  ) {}

  process(batch: readonly Event[], out: Collector): void {
    for (let b = 0; b < batch.length; b++) {
      const e = batch[b]!;
      const port = this.route(e, out);
      if (port !== undefined) out.emitTo(port, e);
    }
  }

  /** The first matching route's port, `else`, or undefined when the event went to `error`. */
  private route(e: Event, out: Collector): string | undefined {
    const { tests } = this;
    for (let i = 0; i < tests.length; i++) {
      let v: unknown;
      try {
        v = tests[i]!(e);
      } catch (err) {
        if (!isEventError(err)) throw err;
        out.error(e, err);
        return undefined;
      }
      if (v === true) return this.ports[i];
      if (v !== false && v !== null && v !== undefined) {
        out.error(e, new NotBooleanError(`route ${i + 1} (${this.ports[i]})`, v));
        return undefined;
      }
    }
    return 'else';
  }
}
