/** Shared by the API tests: a real app over a real file store and the real embedded runner. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { Recorder } from '../recording/recorder.js';
import type { RecordingStore } from '../recording/recording-store.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { IngestHub } from '../runtime/ingest-hub.js';
import { FileStore } from '../store/file-store.js';
import { type AppOptions, createApp } from './app.js';

export interface TestApi {
  app: ReturnType<typeof createApp>;
  store: FileStore;
  deployments: DeploymentManager;
  dataDir: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
}

export interface TestResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read parsed JSON freely
  json: Record<string, any>;
  text: string;
  headers: Headers;
}

const open: { deployments: DeploymentManager; dataDir: string }[] = [];

/** Close every manager a test opened and remove its data folder (call from afterEach). */
export async function closeTestApis(): Promise<void> {
  for (const { deployments, dataDir } of open.splice(0)) {
    await deployments.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `confine`: file paths must stay in the store's files folder, as on a real server. `dataDir`: a
 * folder the test made (default: a new temp folder); removed by closeTestApis either way.
 */
export function testApi(
  options: Partial<Omit<AppOptions, 'store' | 'deployments' | 'recorder'>> & {
    confine?: boolean;
    recordings?: RecordingStore;
    dataDir?: string;
  } = {},
): TestApi {
  const { confine, recordings, dataDir = mkdtempSync(join(tmpdir(), 'sluice-api-')), ...appOptions } = options;
  const store = new FileStore({ dataDir });
  const deployments = new DeploymentManager({
    store,
    runner: new EmbeddedRunner(),
    ingest: new IngestHub(),
    ...(confine ? { allowedRoots: [store.defaultBaseDir] } : {}),
  });
  open.push({ deployments, dataDir });
  // A store of the test's own (Redis): the test closes it.
  const recorder = recordings ? { recorder: new Recorder({ deployments, recordings }) } : {};
  const app = createApp({ store, deployments, ...recorder, ...appOptions });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...headers };
    }
    const res = await app.request(path, init);
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (Prometheus text, event streams): read `text`
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  return { app, store, deployments, dataDir, call };
}

/** A running, unbounded pipeline: generated orders -> filter -> file. */
/** A `source.http` pipeline "inbound" (node "http") writing to a file: ingest's target. */
export const httpSourceDoc = (config: Record<string, unknown> = { maxBuffered: 100 }) => ({
  format: 'sluice/v1',
  id: 'inbound',
  nodes: [
    { id: 'http', type: 'source.http', config },
    { id: 'out', type: 'sink.file', config: { path: 'inbound.jsonl' } },
  ],
  edges: [{ id: 'e1', source: 'http', target: 'out' }],
});

/** A file copied to a file: source.file `input` -> sink.file `output` (paths relative to the pipeline's folder). */
export const fileCopyDoc = (id: string, input: string, output: string) => ({
  format: 'sluice/v1',
  id,
  nodes: [
    { id: 'in', type: 'source.file', config: { path: input } },
    { id: 'out', type: 'sink.file', config: { path: output } },
  ],
  edges: [{ id: 'e1', source: 'in', target: 'out' }],
});

export const generatorDoc = (id = 'live') => ({
  format: 'sluice/v1',
  id,
  name: 'Live orders',
  nodes: [
    { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 2000, seed: 1 } },
    { id: 'big', type: 'filter', config: { expression: 'quantity >= 1' } as Record<string, unknown> },
    { id: 'out', type: 'sink.file', config: { path: 'orders.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'orders', target: 'big' },
    { id: 'e2', source: 'big', target: 'out' },
  ],
});

export interface SseMessage {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read parsed JSON freely
  data: any;
}

/** Read server-sent events until `until` says stop, the stream ends, or the time is up. */
export async function readSse(res: Response, until: (seen: SseMessage[]) => boolean, timeoutMs = 10_000): Promise<SseMessage[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: SseMessage[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !until(seen)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i).split('\n');
      buf = buf.slice(i + 2);
      const data = block.find((l) => l.startsWith('data:'));
      const event =
        block
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      if (data) seen.push({ event, data: JSON.parse(data.slice(5)) });
    }
  }
  await reader.cancel();
  return seen;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
