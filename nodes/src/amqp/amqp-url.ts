/**
 * The AMQP URL as configs write it, shared by source.amqp and sink.amqp. Pure and browser-safe:
 * the definitions use it.
 */
import { z } from 'zod';
import { secretName } from '../sdk/secrets.js';

/** amqp:// or amqps:// and a host; the vhost is the path (%2F for "/"), the user before an @. */
export const AMQP_URL = /^amqps?:\/\/[^\s/?#]+(\/[^\s?#]*)?(\?[^\s#]*)?$/i;

export const amqpUrl = z
  .string()
  .regex(AMQP_URL, 'an AMQP URL is amqp://user@host:5672/vhost (or amqps://)')
  .describe('Broker URL, e.g. amqp://sluice@rabbit:5672/prod (the vhost is the path; no password: use passwordSecret)');

export const amqpPasswordSecret = secretName
  .optional()
  .describe("Name of the secret holding the password of the URL's user (SLUICE_SECRET_<name>)");

/** AMQP names (queues, exchanges, routing keys) are short strings: at most 255 bytes. */
export const MAX_NAME_BYTES = 255;
