import { describeRunnerContract } from '../runner.contract.js';
import { EmbeddedRunner } from './embedded-runner.js';

describeRunnerContract({ name: 'embedded', create: async () => new EmbeddedRunner() });
