import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { describeHotRedeploy } from './hot-redeploy.contract.js';

describeHotRedeploy({ name: 'embedded', create: async () => new EmbeddedRunner() });
describeHotRedeploy({ name: 'embedded on partition threads', create: async () => new EmbeddedRunner({ threads: true }) });
