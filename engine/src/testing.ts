/**
 * @sluice/engine/testing: the helpers tests outside the engine share with its own tests: the
 * runner and hot-redeploy contract suites, an in-process API, auth fixtures, Redis key cleanup.
 * Imports vitest: never import it from product code.
 */
export { closeTestApis, generatorDoc, httpSourceDoc, readSse, type TestApi, testApi, waitFor } from './api/test-support.js';
export { type AuthTestApi, authTestApi } from './auth/auth-fixtures.js';
export { describeRouteMatrix } from './auth/route-matrix.js';
export { describeHotRedeploy } from './deployments/hot-redeploy.contract.js';
export { jobId, RedisKeys } from './runners/bullmq/keys.js';
export { QueueSet } from './runners/bullmq/queue-set.js';
export { deletePrefixKeys } from './runners/bullmq/test-keys.js';
export { compiled, readJsonl, runToEnd, sortRows } from './runners/runner.contract.js';
export { keyPartitioner } from './runtime/partitioner.js';
export { liveThreadCount } from './runners/embedded/threads/thread-set.js';
