/**
 * `/api/pipelines/:id/tests`: the pipeline's test cases (docs/pipeline-tests.md). GET lists
 * them; POST makes one from the recording or an uploaded sample (the source events as input,
 * what the saved document sends from them as the expectation); POST .../tests/run runs them all.
 */
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { PipelineDocument } from '@sluice/shared';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import { CASE_NAME, InvalidCase, listCases, readCase } from '../../pipeline-tests/case-files.js';
import { caseAnswer } from '../../pipeline-tests/format-report.js';
import { runCase } from '../../pipeline-tests/run-case.js';
import { suiteExitCode } from '../../pipeline-tests/run-suite.js';
import { casesFolder, runStoredCases } from '../../pipeline-tests/stored-cases.js';
import { inputLine, writeExpected, writeNewCase } from '../../pipeline-tests/write-case.js';
import type { RecordingStore } from '../../recording/recording-store.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { compilePipeline } from '../../compile/compile-pipeline.js';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { hasErrors } from '@sluice/shared';
import { ApiError, optionalJsonObject } from '../errors.js';
import { findPipeline } from '../lookup.js';
import { livePrivacy, uploadedEvents } from './preview.js';
import { chooseSamples } from '../../preview/sample-events.js';
import { readPinned } from '../../pinned/pinned-samples.js';

/** Events per source a new case takes from the recording by default: enough to mean something, few enough to review. */
const DEFAULT_CASE_EVENTS = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function testRoutes(o: { store: PipelineStore; deployments: DeploymentManager; recordings: RecordingStore }): Hono {
  const app = new Hono();

  app.get('/:id/tests', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const dir = casesFolder(p);
    const cases: Record<string, unknown>[] = [];
    let names: string[] = [];
    try {
      names = await listCases(dir);
    } catch (err) {
      if (err instanceof InvalidCase) throw new ApiError(422, 'invalid-case', err.message);
      throw err;
    }
    for (const name of names) {
      try {
        const tc = await readCase(join(dir, name));
        const count = (m: Record<string, unknown[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.length]));
        cases.push({
          name,
          ...(tc.spec.description !== undefined ? { description: tc.spec.description } : {}),
          ...(tc.spec.params ? { params: tc.spec.params } : {}),
          inputs: count(tc.inputs),
          expected: count(tc.expected),
        });
      } catch (err) {
        if (!(err instanceof InvalidCase)) throw err;
        cases.push({ name, invalid: err.message });
      }
    }
    return c.json({ required: p.document.settings?.requireTestsOnDeploy === true, cases });
  });

  app.post('/:id/tests', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    const name = body.name;
    if (typeof name !== 'string' || !CASE_NAME.test(name))
      throw new ApiError(400, 'invalid-body', '"name" names the case: 1 to 64 letters, digits, _ . or -, not starting with . or -');
    if (body.description !== undefined && typeof body.description !== 'string')
      throw new ApiError(400, 'invalid-body', '"description" is text');
    if (body.params !== undefined && !isObject(body.params))
      throw new ApiError(400, 'invalid-body', '"params" must be an object: { "name": value }');
    const limit = body.limit ?? Math.min(DEFAULT_CASE_EVENTS, o.recordings.capacity);
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > o.recordings.capacity)
      throw new ApiError(400, 'invalid-body', `"limit" must be a whole number from 1 to ${o.recordings.capacity}`);
    const dir = join(casesFolder(p), name);
    if (
      await access(dir).then(
        () => true,
        () => false,
      )
    )
      throw new ApiError(409, 'case-exists', `pipeline "${p.id}" has a test case "${name}" already; pick another name`);

    const params = (body.params ?? {}) as Record<string, unknown>;
    const { document, diagnostics } = compilePipeline(p.document, params);
    const problems = document ? [...diagnostics, ...o.deployments.policyDiagnostics(p, document)] : diagnostics;
    if (!document || hasErrors(problems))
      throw new ApiError(422, 'invalid-document', 'the pipeline (with these params) is invalid; fix it to make a test case', problems);
    // An uploaded sample (as a preview takes it, timed by each source's timeField), or the recording.
    // Without a sample: per source the recording, else its pinned events, else a generator's own (docs/pinned-samples.md).
    const privacy = o.deployments.privacyOf(p.id) ?? livePrivacy(p.document);
    const recorded =
      body.events !== undefined
        ? uploadedEvents(document, body.events)
        : (
            await chooseSamples({
              document,
              recorded: await o.recordings.read(p.id, limit),
              pinned: await readPinned(p),
              mask: (e) => privacy.mask(e),
              ...(body.sample === 'pinned' ? { prefer: 'pinned' as const } : {}),
            })
          ).events;
    const sources = document.nodes.filter((n) => nodeDefinitions.get(n.type)?.category === 'source');
    const timeFieldOf = (id: string) => {
      const tf = document.nodes.find((n) => n.id === id)?.config.timeField;
      return typeof tf === 'string' ? tf : undefined;
    };
    const inputs: Record<string, Record<string, unknown>[]> = {};
    for (const s of sources) {
      const events = recorded[s.id] ?? [];
      if (events.length > 0) inputs[s.id] = events.map((r) => inputLine(r, timeFieldOf(s.id)));
    }
    if (Object.keys(inputs).length === 0)
      throw new ApiError(
        409,
        'no-recording',
        `pipeline "${p.id}" has recorded nothing of its sources yet (deploy it and let it run), nothing is pinned on them, and no "events" sample was sent`,
      );

    const spec = {
      ...(body.description !== undefined ? { description: body.description as string } : {}),
      ...(body.params ? { params } : {}),
    };
    // The folder is the claim: of two requests for one name, the second gets the 409.
    await mkdir(casesFolder(p), { recursive: true });
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST')
        throw new ApiError(409, 'case-exists', `pipeline "${p.id}" has a test case "${name}" already; pick another name`);
      throw err;
    });
    let result: Awaited<ReturnType<typeof runCase>>;
    try {
      // Written first and read back as `sluice test` reads it: the expectation is what the saved
      // document sends from exactly those files.
      await writeNewCase({ dir, spec, inputs, expected: {} });
      result = await runCase(await readCase(dir), { document: p.document, baseDir: p.baseDir });
      if (result.runError) throw new ApiError(422, 'run-failed', `the pipeline failed on the recorded events: ${result.runError}`);
      await writeExpected(dir, result.outputs);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (err instanceof InvalidCase) throw new ApiError(422, 'invalid-case', err.message);
      throw err;
    }
    const count = (m: Record<string, unknown[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.length]));
    return c.json(
      {
        case: {
          name,
          ...spec,
          inputs: count(inputs),
          expected: count(Object.fromEntries(Object.entries(result.outputs).filter(([, v]) => v.length > 0))),
        },
      },
      201,
    );
  });

  app.post('/:id/tests/run', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    if (body.params !== undefined && !isObject(body.params))
      throw new ApiError(400, 'invalid-body', '"params" must be an object: { "name": value }');
    if (body.document !== undefined && !isObject(body.document))
      throw new ApiError(400, 'invalid-body', '"document" must be a pipeline document');
    const suite = await runStoredCases(p, {
      ...(body.document ? { document: body.document as unknown as PipelineDocument } : {}),
      ...(body.params ? { params: body.params as Record<string, unknown> } : {}),
    });
    if (suite.documentError) throw new ApiError(422, 'invalid-document', suite.documentError);
    const code = suiteExitCode([suite]);
    return c.json({ passed: code === 0, cases: suite.cases.map(caseAnswer) });
  });

  return app;
}
