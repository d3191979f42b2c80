import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from '../logging/logger-options';

/** Runs first, so that even a request refused by the body parser has an id. */
export function requestIdMiddleware(
  req: Request & { id?: string },
  res: Response,
  next: NextFunction,
): void {
  const id = requestIdOf(req);
  req.id = id;
  res.setHeader('X-Request-Id', id);
  next();
}
