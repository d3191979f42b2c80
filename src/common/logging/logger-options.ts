import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { maskPhonesInText, redactUrl, sanitizeEntry } from './redact';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

function prettyTransport(): LoggerOptions['transport'] {
  try {
    require.resolve('pino-pretty');
    return {
      target: 'pino-pretty',
      options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
    };
  } catch {
    return undefined; // not installed (production image): stay with JSON
  }
}

/** req, res and err go through their serializers; everything else is sanitised here. */
function sanitizeLogRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = key === 'req' || key === 'res' || key === 'err' ? value : sanitizeEntry(key, value);
  }
  return out;
}

export function loggerParams(config: AppConfig, stream?: DestinationStream): Params {
  const options = {
    level: config.log.level,
    transport: config.log.format === 'pretty' && !stream ? prettyTransport() : undefined,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: () => ({ service: 'invoiceiq' }),
    serializers: {
      req: (req: {
        id: string;
        method: string;
        url: string;
        headers: Record<string, unknown>;
        remoteAddress?: string;
      }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        userAgent:
          typeof req.headers['user-agent'] === 'string'
            ? maskPhonesInText(req.headers['user-agent'])
            : undefined,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Last line of defence for anything a developer logs by hand.
    formatters: { log: sanitizeLogRecord },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskPhonesInText(a) : a)),
        );
      },
    },
    redact: { paths: ['req.headers', 'res.headers'], remove: true },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: {
      ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics',
    },
  };
  return {
    pinoHttp: stream ? [options, stream] : options,
  };
}
