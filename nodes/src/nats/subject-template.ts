/**
 * sink.nats's subject templates (`orders.{region}.created`, syntax in sdk/template.ts): the
 * literal text and every result must be a subject to publish to (source-nats/subjects.ts). A
 * value holding `.` adds tokens (`eu.lyon`).
 */
import type { TemplateRules } from '../sdk/template.js';
import { publishSubjectProblem } from './subjects.js';

export const SUBJECT_TEMPLATE: TemplateRules = {
  noun: 'subject',
  code: 'subject-template',
  placeholder: 'x',
  textProblem: publishSubjectProblem,
  resultProblem: (subject) => {
    const why = publishSubjectProblem(subject);
    return why ? `${JSON.stringify(subject)} is not a subject to publish to (${why})` : undefined;
  },
};
