/**
 * Opening an MQTT.js client for source.mqtt and sink.mqtt: one place that turns the config and
 * the secret into client options and waits for the broker's CONNACK, so a broker that is down,
 * unknown or refuses the credentials fails the start at once with the URL in the message
 * (MQTT.js on its own would retry forever in the background).
 */
import { type IClientOptions, type MqttClient, connect } from 'mqtt';

export interface MqttConnectOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId?: string | undefined;
  /** false: resume the broker's session for this clientId (queued QoS 1/2 messages). */
  clean?: boolean;
  /** Runs on the client before its socket is open: install handlers that must see the first packets. */
  prepare?: (client: MqttClient) => void;
}

/** How long to wait for the broker's CONNACK before failing the start. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A connected client, or an error naming the URL. Later drops are reconnected by MQTT.js. */
export function connectMqtt(o: MqttConnectOptions): Promise<MqttClient> {
  // Not `manualConnect`: with it, MQTT.js's end() clears its "disconnecting" flag, and the
  // socket's late 'close' then starts a reconnect timer that keeps a failed CLI alive forever.
  const options: IClientOptions = {
    connectTimeout: CONNECT_TIMEOUT_MS,
    reconnectPeriod: 1000,
    clean: o.clean ?? true,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
  };
  // The socket opens asynchronously: handlers installed now still see the first packets.
  const client = connect(o.url, options);
  o.prepare?.(client);
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      // Force: no reconnect loop is left behind by a start that failed.
      client.end(true);
      reject(new Error(`cannot connect to MQTT broker ${o.url}: ${why}`));
    };
    const onConnect = () => {
      cleanup();
      resolve(client);
    };
    const onError = (err: Error) => fail(describeError(err));
    const onClose = () => fail(`no answer within ${CONNECT_TIMEOUT_MS / 1000}s, or the connection was closed`);
    const cleanup = () => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** MQTT.js errors: network errors carry a string code, broker refusals a numeric one. */
export function describeError(err: Error): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return `the broker refused: ${err.message} (code ${code})`;
  return err.message || String(code ?? err);
}

/** A broker refusal (bad credentials, not authorized) does not heal by reconnecting. */
export function isRefusal(err: Error): boolean {
  return typeof (err as { code?: unknown }).code === 'number';
}
