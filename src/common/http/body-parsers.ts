import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { errorBody } from './all-exceptions.filter';

export const DEFAULT_BODY_LIMIT = '1mb';
/** Providers batch up to 1,000 status updates (about 3 MB) into one webhook. */
export const WEBHOOK_BODY_LIMIT = '3mb';
const DARAJA_CALLBACK_PREFIX = '/payments/stk/callback/';
const WHATSAPP_WEBHOOK_PREFIX = '/whatsapp/webhook';
const WEBHOOK_PREFIXES = [WHATSAPP_WEBHOOK_PREFIX, '/sms/', DARAJA_CALLBACK_PREFIX];

/**
 * Deeper than any body we or a provider send (Meta's webhooks are about 8 levels). JSON.parse
 * reads any depth, but what walks the value afterwards recursively (class-transformer,
 * JSON.stringify when a payload is stored) overflows the stack some thousands deep: a 500.
 */
export const MAX_JSON_DEPTH = 64;

export type RequestWithRawBody = Request & { rawBody?: Buffer; id?: string };

const keepRawBody = (req: RequestWithRawBody, _res: Response, buf: Buffer): void => {
  req.rawBody = buf;
};

function parsers(limit: string): RequestHandler[] {
  return [
    express.json({ limit, verify: keepRawBody }),
    express.urlencoded({ limit, extended: false, verify: keepRawBody, parameterLimit: 1000 }),
  ];
}

/** True when `value` has containers nested deeper than `max` (iterative: any depth is safe). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

const tooDeep = (): Error & { status: number; type: string } =>
  Object.assign(new Error('request body nested too deeply'), {
    status: 400,
    type: 'entity.too.deep',
  });

/**
 * JSON and form bodies with the raw bytes kept for signature checks. A body the parser refuses
 * (too large, malformed, nested deeper than MAX_JSON_DEPTH) is answered here in the API's error
 * shape, before any route runs; except an unreadable body on Daraja's callback, which goes on
 * without one: Daraja must get 200 for whatever it sends, and the route records the raw bytes
 * (docs/PAYMENTS.md). WhatsApp's webhook keeps deep bodies: it acknowledges everything signed.
 */
export function bodyParsers(): RequestHandler {
  const normal = parsers(DEFAULT_BODY_LIMIT);
  const webhook = parsers(WEBHOOK_BODY_LIMIT);
  return (req: Request, res: Response, next: NextFunction) => {
    const chain = WEBHOOK_PREFIXES.some((p) => req.path.startsWith(p)) ? webhook : normal;
    const run = (index: number): void => {
      const handler = chain[index];
      if (!handler) return next();
      handler(req, res, (parseError?: unknown) => {
        const err =
          parseError ??
          (index === 0 && !isWhatsApp(req.path) && nestedDeeperThan(req.body, MAX_JSON_DEPTH)
            ? tooDeep()
            : undefined);
        if (err) {
          if (isUnreadable(err) && req.path.startsWith(DARAJA_CALLBACK_PREFIX)) {
            req.body = undefined;
            return next();
          }
          const body = errorBody(err, String((req as RequestWithRawBody).id ?? ''));
          res.status(body.statusCode).json(body);
          return;
        }
        run(index + 1);
      });
    };
    run(0);
  };
}

const isWhatsApp = (path: string): boolean => path.startsWith(WHATSAPP_WEBHOOK_PREFIX);

const isUnreadable = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  ['entity.parse.failed', 'entity.too.deep'].includes(String((err as { type?: unknown }).type));
