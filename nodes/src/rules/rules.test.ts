import { describeGoldenCases } from '../sdk/testing/index.js';

describeGoldenCases('rules', new URL('./cases', import.meta.url));
