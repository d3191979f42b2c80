import { isConnectionLoss } from '../../database/connection-loss';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { DomainError } from './domain-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** Errors thrown by body-parser before any handler runs carry `status` and `type`. */
interface ParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

const PARSER_MESSAGES: Record<string, string> = {
  'entity.too.large': 'Request body is too large',
  'entity.parse.failed': 'Request body is not valid JSON',
  'entity.too.deep': 'Request body is nested too deeply',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
  'request.aborted': 'Request aborted',
};

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string'
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}

export function errorBody(exception: unknown, requestId: string): ErrorBody {
  if (exception instanceof DomainError) {
    return {
      statusCode: exception.status,
      error: reasonPhrase(exception.status),
      message: exception.message,
      code: exception.code,
      ...(exception.details ? { details: exception.details } : {}),
      requestId,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : ((response as { message?: string | string[] }).message ?? exception.message);
    return { statusCode: status, error: reasonPhrase(status), message, requestId };
  }
  const parser = exception as ParserError | null;
  const parserStatus = parser?.status ?? parser?.statusCode;
  if (
    parser &&
    typeof parserStatus === 'number' &&
    parserStatus >= 400 &&
    parserStatus < 500 &&
    parser.type
  ) {
    return {
      statusCode: parserStatus,
      error: reasonPhrase(parserStatus),
      message: PARSER_MESSAGES[parser.type] ?? 'Bad request',
      requestId,
    };
  }
  if (isConnectionLoss(exception) || isConnectionLoss((exception as { cause?: unknown })?.cause)) {
    // The database is out of reach for a moment: the caller may simply try again.
    return {
      statusCode: 503,
      error: reasonPhrase(503),
      message: 'The service is briefly unavailable. Please try again in a few seconds.',
      requestId,
    };
  }
  return {
    statusCode: 500,
    error: 'Internal Server Error',
    message: 'Something went wrong on our side. Quote the requestId if you contact support.',
    requestId,
  };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    this.logger.setContext(AllExceptionsFilter.name);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const requestId = String(req.id ?? res.getHeader('X-Request-Id') ?? '');
    const body = errorBody(exception, requestId);
    if (body.statusCode === 503) {
      this.logger.warn({ err: exception, requestId }, 'database unavailable');
    } else if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId }, 'Unhandled error');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 503) res.setHeader('Retry-After', '2');
    res.status(body.statusCode).json(body);
  }
}
