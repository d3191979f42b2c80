import { createServer, type Server, type Socket, connect } from 'node:net';

/** A loopback TCP proxy that a test can cut, to make a database "unreachable". */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<Socket>();
  private refusingUntil = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (Date.now() < this.refusingUntil) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.clients.add(client);
      client.on('close', () => this.clients.delete(client));
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /**
   * Drops every open connection (as a database restart or a network blip would) but keeps
   * listening; new connections are closed at once for `refuseForMs`. Returns how many client
   * connections were cut.
   */
  dropConnections(refuseForMs = 0): number {
    const cut = this.clients.size;
    this.refusingUntil = Date.now() + refuseForMs;
    for (const s of this.sockets) s.destroy();
    return cut;
  }
}

export interface ProxyTarget {
  host: string;
  port: number;
}

/**
 * A loopback TCP load balancer: each new connection goes to the next target in turn; a target
 * that refuses the connection (a process that is down) is skipped for the next one, as a real
 * balancer's health check would. Per connection, not per request: send `Connection: close` (or
 * use no keep-alive agent) to spread requests.
 */
export class RoundRobinProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  port = 0;
  /** Connections handed to each target (by "host:port"), and ones no target took. */
  readonly stats = { byTarget: new Map<string, number>(), failed: 0, failedAt: [] as number[] };

  constructor(private targets: ProxyTarget[]) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((client) => {
      client.pause();
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      this.route(client, this.next++, 0);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  setTargets(targets: ProxyTarget[]): void {
    this.targets = targets;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Tries the targets in turn from `start` (this connection's own turn), each at most once. */
  private route(client: Socket, start: number, tried: number): void {
    if (client.destroyed) return;
    if (tried >= this.targets.length) {
      this.stats.failed += 1;
      this.stats.failedAt.push(Date.now());
      client.destroy();
      return;
    }
    const target = this.targets[(start + tried) % this.targets.length];
    const upstream = connect(target.port, target.host);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      const key = `${target.host}:${target.port}`;
      this.stats.byTarget.set(key, (this.stats.byTarget.get(key) ?? 0) + 1);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      upstream.destroy();
      if (!connected) this.route(client, start, tried + 1);
      else client.destroy();
    });
  }
}
