import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The engine's floor for a tool: every request the tool sent, recorded as it sent it, then sent
 * again straight, with nothing computed in between. A replayed request waits for what the tool
 * had waited for — every request that had answered before the tool sent it — and no more
 * requests are in flight than the tool ever had at once. So the floor keeps the tool's
 * concurrency and ordering (a conditional delete still follows the write it depends on) and
 * leaves out only the tool's own work: reading and checking the file, building items, deciding.
 */

type Sender = Pick<DynamoDBClient, 'send'>;
type Command = Parameters<DynamoDBClient['send']>[0];

interface SentRequest {
  readonly via: 'client' | 'documents';
  readonly command: new (input: unknown) => Command;
  readonly input: unknown;
  /** How many requests had answered when the tool sent this one. */
  readonly answeredBefore: number;
}

export class RequestRecorder {
  private readonly sent: SentRequest[] = [];
  /** Request indexes in the order their answers arrived. */
  private readonly answerOrder: number[] = [];
  private inFlight = 0;
  private mostInFlight = 0;

  /** The client, with every request it sends recorded (what it sends and answers is unchanged). */
  client(client: DynamoDBClient): DynamoDBClient {
    return this.wrap(client, 'client');
  }

  documents(documents: DynamoDBDocumentClient): DynamoDBDocumentClient {
    return this.wrap(documents, 'documents');
  }

  get requests(): number {
    return this.sent.length;
  }

  /** The most requests the tool had in flight at once. */
  get concurrency(): number {
    return this.mostInFlight;
  }

  private wrap<T extends Sender>(target: T, via: SentRequest['via']): T {
    // The same object (paginators check its class) with `send` recording on the way.
    const wrapper = Object.create(target) as T;
    const send = (command: Command) => {
      const index =
        this.sent.push({
          via,
          command: command.constructor as SentRequest['command'],
          // Cloned: the request as it was sent, whatever its sender does with the object later.
          input: structuredClone(command.input),
          answeredBefore: this.answerOrder.length,
        }) - 1;
      this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
      return (target.send as (command: Command) => Promise<unknown>)(command).finally(() => {
        this.inFlight--;
        this.answerOrder.push(index);
      });
    };
    (wrapper as { send: unknown }).send = send;
    return wrapper;
  }

  /**
   * Sends the recorded requests again through these clients (to tables in the state the tool
   * found them in); answers the wall time in seconds. A conditional request refused counts as
   * answered, as it did for the tool.
   */
  async replay(clients: { readonly client: DynamoDBClient; readonly documents: DynamoDBDocumentClient }) {
    const total = this.sent.length;
    if (this.answerOrder.length !== total) throw new Error('a recorded request never answered');
    const answered: Array<() => void> = [];
    const answers = this.sent.map(() => new Promise<void>((resolve) => answered.push(resolve)));
    // after[k]: the first k answers of the tool's run have arrived in the replay.
    const after: Promise<void>[] = [Promise.resolve()];
    for (let k = 0; k < total; k++) after.push(after[k]!.then(() => answers[this.answerOrder[k]!]));
    const slots = new Slots(this.mostInFlight);
    const started = performance.now();
    await Promise.all(
      this.sent.map(async (request, index) => {
        await after[request.answeredBefore];
        await slots.take();
        try {
          const sender = clients[request.via] as Sender;
          await (sender.send as (command: Command) => Promise<unknown>)(new request.command(request.input));
        } catch (error) {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        } finally {
          slots.give();
          answered[index]!();
        }
      }),
    );
    return (performance.now() - started) / 1000;
  }
}

/** At most `size` holders at once, served in the order they asked. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  private next = 0;

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    if (this.next < this.waiting.length) this.waiting[this.next++]!();
    else this.free++;
  }
}
