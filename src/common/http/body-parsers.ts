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
const WEBHOOK_PREFIXES = ['/whatsapp/webhook', '/sms/', DARAJA_CALLBACK_PREFIX];

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

/**
 * JSON and form bodies with the raw bytes kept for signature checks. A body the parser refuses
 * (too large, malformed) is answered here in the API's error shape, before any route runs;
 * except unreadable JSON on Daraja's callback, which goes on without a body: Daraja must get
 * 200 for whatever it sends, and the route records the raw bytes (docs/PAYMENTS.md).
 */
export function bodyParsers(): RequestHandler {
  const normal = parsers(DEFAULT_BODY_LIMIT);
  const webhook = parsers(WEBHOOK_BODY_LIMIT);
  return (req: Request, res: Response, next: NextFunction) => {
    const chain = WEBHOOK_PREFIXES.some((p) => req.path.startsWith(p)) ? webhook : normal;
    const run = (index: number): void => {
      const handler = chain[index];
      if (!handler) return next();
      handler(req, res, (err?: unknown) => {
        if (err) {
          if (isParseFailure(err) && req.path.startsWith(DARAJA_CALLBACK_PREFIX)) {
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

const isParseFailure = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  (err as { type?: unknown }).type === 'entity.parse.failed';
