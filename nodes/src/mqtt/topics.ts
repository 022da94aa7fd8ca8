/**
 * MQTT topic rules (MQTT 3.1.1 section 4.7), checked before anything connects so a typo is a
 * validation error naming the field, not a broker refusal at run time. Pure and browser-safe:
 * the definitions of source.mqtt and sink.mqtt use them.
 */

/** Why `filter` is not a valid subscription filter, or undefined when it is. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter === '') return 'a topic filter is not empty';
  if (filter.includes('\u0000')) return 'a topic filter holds no NUL character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# stands alone as the last level (sensors/#)';
    if (level.includes('+') && level !== '+') return '+ stands alone as a whole level (sensors/+/temp)';
  }
  return undefined;
}

/** Why `topic` is not a topic one can publish to, or undefined when it is. */
export function publishTopicProblem(topic: string): string | undefined {
  if (topic === '') return 'a topic is not empty';
  if (topic.includes('\u0000')) return 'a topic holds no NUL character';
  if (topic.includes('+') || topic.includes('#')) return 'a topic to publish to holds no wildcard (+ or #)';
  return undefined;
}

/** The URL schemes MQTT.js connects with. */
export const MQTT_URL = /^(mqtts?|wss?|tcp|ssl):\/\/[^\s/]+/i;
