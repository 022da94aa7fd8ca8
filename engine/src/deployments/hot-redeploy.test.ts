import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { describeHotRedeploy } from './hot-redeploy.contract.js';

describeHotRedeploy({ name: 'embedded', create: async () => new EmbeddedRunner() });
