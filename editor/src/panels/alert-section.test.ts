/** A sink target's config problems, moved from the validator's paths to the config form's field names. */
import type { Diagnostic } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { sinkConfigProblems } from './alert-section';

const problem = (path: string, message: string, code = 'alert-rule'): Diagnostic => ({ severity: 'error', code, message, path });

describe('sinkConfigProblems', () => {
  it("names fields as the config form does, list items in brackets, and leaves out other targets' and whole-config problems", () => {
    const at = 'alerts.targets[1]';
    const byPath = sinkConfigProblems(
      [
        problem('alerts.targets[1].sink.config.path', 'too short'),
        problem('alerts.targets[1].sink.config.topics.0', 'not a topic'),
        problem('alerts.targets[1].sink.config.topics.0', 'empty'),
        problem('alerts.targets[1].sink.config.headers.x.0y', 'odd key'),
        problem('alerts.targets[1].sink.config', 'unknown key "paht"'),
        problem('alerts.targets[1].sink.type', 'not a sink'),
        problem('alerts.targets[10].sink.config.path', 'another target'),
        problem('alerts.targets[1].sink.config.where', 'unknown field', 'expr-unknown-field'),
      ],
      at,
    );
    expect(Object.fromEntries(byPath)).toEqual({
      'config.path': ['too short'],
      'config.topics[0]': ['not a topic', 'empty'],
      'config.headers.x.0y': ['odd key'],
    });
  });
});
