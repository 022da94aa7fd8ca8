/**
 * @sluice/engine: what a program that embeds Sluice (or a test outside the engine) needs: compile
 * a document, run it on either runner, start the server or build its app. The CLI is not here:
 * it is a program (cli/main.ts), not a library. Test helpers are in `@sluice/engine/testing`.
 */
export { createApp, type AppOptions, DEFAULT_MAX_BODY_BYTES } from './api/app.js';
export { TokenStore, type TokenStoreOptions, tokenStoreFor } from './auth/token-store.js';
export { type LocalWorkers, spawnWorker, spawnWorkers, stopProcess, WORKER_STOP_GRACE_MS } from './cli/spawn-workers.js';
export { type CompileResult, compilePipeline } from './compile/compile-pipeline.js';
export { buildPlan, type Plan, type PlanOptions } from './compile/plan.js';
export { DeploymentManager, type DeploymentManagerOptions } from './deployments/deployment-manager.js';
export { BullmqRunner, type BullmqRunnerOptions } from './runners/bullmq/bullmq-runner.js';
export { JOB_GROUP_DEFAULTS, type JobGroupLimits } from './runners/bullmq/job-group.js';
export { listWorkers, type WorkerView } from './runners/bullmq/worker-list.js';
export { loadPlugins } from './plugins/load-plugins.js';
export { EmbeddedRunner } from './runners/embedded/embedded-runner.js';
export { BULLMQ_BATCH_SIZE, RUN_DEFAULTS, type RunHandle, type Runner, type RunOptions, type RunResult } from './runners/runner.js';
export { type IngestHub, MemoryIngestHub } from './runtime/ingest-hub.js';
export { RedisIngestHub, type RedisIngestHubOptions } from './runtime/redis-ingest-hub.js';
export { type RunningServer, type ServerOptions, startServer } from './server/start-server.js';
export { FileStore, type FileStoreOptions } from './store/file-store.js';
export type { PipelineStore } from './store/pipeline-store.js';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres-store.js';
