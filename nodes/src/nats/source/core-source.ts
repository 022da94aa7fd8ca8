/**
 * source.nats, mode core: a plain subscription. Core NATS stores nothing and has no flow
 * control: what is published while the pipeline is away is lost, and a subscriber cannot hold
 * the server back. So messages go to a bounded buffer; while it is full, what arrives is
 * dropped and counted, and the next poll reports the count on the `error` port (at most once;
 * README). No position: a checkpoint records nothing for this source.
 */
import type { NatsConnection } from 'nats';
import type { SourceBatch, SourceOperator } from '../../sdk/operator.js';
import { describeError } from '../connect.js';
import type { MessageBuffer } from './message-buffer.js';
import type { BatchMaker } from './to-batch.js';

export interface CoreSourceOptions {
  nc: NatsConnection;
  subjects: readonly string[];
  buffer: MessageBuffer;
  batches: BatchMaker;
  /** `NATS server nats://...`, for messages. */
  target: string;
  nodeId: string;
}

export class CoreSource implements SourceOperator {
  private failure: string | undefined;
  private closing = false;

  constructor(private readonly o: CoreSourceOptions) {
    for (const subject of o.subjects) {
      o.nc.subscribe(subject, {
        callback: (err, msg) => {
          // An error here is the server refusing the subscription (permissions): it never heals.
          if (err) this.fail(`the subscription to ${subject} failed: ${describeError(err)}`);
          else o.buffer.offer({ subject: msg.subject, data: msg.data });
        },
      });
    }
    void o.nc.closed().then((err) => {
      if (!this.closing) this.fail(`lost the connection${err ? `: ${describeError(err)}` : ''}`);
    });
  }

  poll(max: number): SourceBatch {
    if (this.failure) throw new Error(this.failure);
    const dropped = this.o.buffer.takeDropped();
    const lost =
      dropped === 0
        ? []
        : [
            {
              event: { _dropped: dropped },
              error: `${dropped} messages dropped: ${this.o.buffer.capacity} (maxBuffered) were waiting for the pipeline`,
            },
          ];
    return this.o.batches.make(this.o.buffer.take(max), false, lost);
  }

  async close(): Promise<void> {
    this.closing = true;
    // drain: the server stops sending first, so nothing is cut in the middle of a message.
    await this.o.nc.drain().catch(() => this.o.nc.close());
  }

  private fail(why: string): void {
    this.failure ??= `${this.o.nodeId}: ${this.o.target}: ${why}`;
  }
}
