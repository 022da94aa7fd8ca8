#!/usr/bin/env node
/**
 * `sluice validate|check|run|test|serve|worker|workers|token`. Exit codes: 0 ok, 2 invalid document or usage, 1 the
 * run (or a connection check) failed (GRAPH_FORMAT.md).
 */
import { checkCommand } from './check-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { testCommand } from './test-command.js';
import { tokenCommand } from './token-command.js';
import { validateCommand } from './validate-command.js';
import { workerCommand } from './worker-command.js';
import { workersCommand } from './workers-command.js';
import { redactWrites } from '../secrets/redact.js';
import { envPlugins, exportPlugins, loadPlugins, pluginArgs } from '../plugins/load-plugins.js';

const USAGE = `Usage:
  sluice validate <graph.json>                      check a document; every problem, one a line
  sluice check <graph.json> [--node ID ...]         check the connector nodes' connections (secrets from the environment)
  sluice run <graph.json> [--param name=value ...]  run it on the embedded engine
      [--batch-size N] [--partitions P] [--quiet]
      [--engine embedded|bullmq] [--workers N]        bullmq: N local worker processes (REDIS_URL)
  sluice test <graph.json | folder> ...             run the test cases in <name>.tests/ beside each document
      [--update] [--junit out.xml] [--case NAME]      (exit 1 a case failed, 2 invalid; docs/pipeline-tests.md)
  sluice serve                                      API (and editor) on http://127.0.0.1:8080 (PORT, HOST, REDIS_URL, SLUICE_DATA_DIR)
  sluice worker [--prefix P] [--labels a,b]         serve BullMQ pipelines (REDIS_URL, SLUICE_PREFIX)
  sluice workers [--prefix P] [--json] [--here]     the workers: host, pid, labels, queues held, heartbeat
  sluice token add --name N --role R [--data DIR]   API token (admin|editor|business|viewer), printed once
  sluice token list | revoke NAME [--data DIR]      the configured tokens (names and roles, never secrets)
  Any command: --plugin <folder|package> (repeatable; also SLUICE_PLUGINS=a,b) loads node types
  from a separate package first (docs/adding-a-node-type.md).
`;

export async function main(args: string[]): Promise<number> {
  let argv: string[];
  try {
    const { plugins, rest } = pluginArgs(args);
    argv = rest;
    const specs = [...envPlugins(), ...plugins];
    await loadPlugins(specs);
    exportPlugins(specs);
  } catch (err) {
    process.stderr.write(`sluice: ${(err as Error).message}\n`);
    return 2;
  }
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return validateCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'run':
      return runCommand(rest);
    case 'test':
      return testCommand(rest);
    case 'worker':
      return workerCommand(rest);
    case 'workers':
      return workersCommand(rest);
    case 'serve':
      return serveCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`sluice: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

// One boundary for every command: no secret value or URL password reaches the terminal or a log file.
redactWrites(process.stderr);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sluice: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
