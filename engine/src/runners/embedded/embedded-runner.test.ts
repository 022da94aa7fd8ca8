import { describeRunnerContract } from '../runner.contract.js';
import { EmbeddedRunner } from './embedded-runner.js';

describeRunnerContract({ name: 'embedded', create: async () => new EmbeddedRunner() });
describeRunnerContract({ name: 'embedded on partition threads', create: async () => new EmbeddedRunner({ threads: true }) });
