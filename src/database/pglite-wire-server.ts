import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const READY_FOR_QUERY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const IDLE = 0x49; // 'I'

/**
 * Serves one PGlite (a single PostgreSQL session) to many client connections over the
 * PostgreSQL wire protocol. A connection owns the session from its first message until
 * PostgreSQL reports it idle again (ReadyForQuery 'I'), so extended-protocol sequences
 * (Parse/Bind/Execute/Sync) and transactions are never interleaved with another connection's.
 * pglite-socket's own multiplexer switches connections between messages outside explicit
 * transactions, which corrupts concurrent extended-protocol queries ("portal cannot be run").
 */
export class PgliteWireServer {
  private server?: Server;
  private owner: Connection | null = null;
  private readonly waiting: (() => void)[] = [];
  private readonly connections = new Set<Connection>();
  port = 0;

  constructor(private readonly db: PGlite) {}

  async listen(port: number, host: string): Promise<void> {
    this.server = createServer((socket) => {
      const connection = new Connection(socket, this);
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Runs one client message; ownership is taken before and kept while the session is busy. */
  async exec(connection: Connection, message: Uint8Array): Promise<Buffer> {
    if (this.owner !== connection) {
      while (this.owner !== null) await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.owner = connection;
    }
    // Copied at once: PGlite returns a view on memory that the next message (maybe another
    // connection's, as soon as we release) overwrites.
    const response = Buffer.from(await this.db.execProtocolRaw(message));
    if (endsIdle(response)) this.release(connection);
    return response;
  }

  async abandon(connection: Connection): Promise<void> {
    if (this.owner !== connection) return;
    try {
      // A client that vanished mid-transaction must not leave the single session in it.
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    } finally {
      this.release(connection);
    }
  }

  private release(connection: Connection): void {
    if (this.owner !== connection) return;
    this.owner = null;
    this.waiting.shift()?.();
  }
}

/** True when the last ReadyForQuery in the response says the session is idle. */
function endsIdle(response: Uint8Array): boolean {
  let status = -1;
  let offset = 0;
  const view = new DataView(response.buffer, response.byteOffset, response.byteLength);
  while (offset + 5 <= response.length) {
    const type = response[offset];
    const length = view.getInt32(offset + 1);
    if (type === READY_FOR_QUERY && length === 5) status = response[offset + 5]!;
    offset += 1 + length;
  }
  return status === IDLE;
}

class Connection {
  private buffer = Buffer.alloc(0);
  private started = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly server: PgliteWireServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.chain = this.chain.then(() => this.drain()).catch(() => this.destroy());
    });
    socket.on('close', () => {
      this.closed = true;
      this.chain = this.chain.then(() => this.server.abandon(this));
    });
    socket.on('error', () => this.destroy());
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      if (!this.started) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.destroy();
          return;
        }
        this.started = true;
        await this.forward(message);
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < length + 1) return;
      const message = this.buffer.subarray(0, length + 1);
      this.buffer = this.buffer.subarray(length + 1);
      if (message[0] === TERMINATE) {
        await this.server.abandon(this);
        this.destroy();
        return;
      }
      await this.forward(message);
    }
  }

  private async forward(message: Uint8Array): Promise<void> {
    const response = await this.server.exec(this, new Uint8Array(message));
    if (response.length > 0 && !this.closed) this.socket.write(response);
  }
}
