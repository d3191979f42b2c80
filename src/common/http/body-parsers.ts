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
const WEBHOOK_PREFIXES = ['/whatsapp/webhook', '/sms/', '/payments/stk/callback/'];

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
 * (too large, malformed) is answered here in the API's error shape, before any route runs.
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
