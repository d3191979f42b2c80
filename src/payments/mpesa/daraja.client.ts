import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhenResult,
  IsolatedCircuitError,
  retry,
  type RetryPolicy,
} from 'cockatiel';
import { maskPhone } from '../../common/logging/redact';
import { AppConfig } from '../../config/app-config';
import { type CircuitStateName, observeCircuit } from '../../stats/provider-metrics';
import type {
  PaymentProvider,
  StkPushRequest,
  StkPushResult,
  StkQueryResult,
} from '../payment-provider.port';
import {
  DARAJA_CLIENT_OPTIONS,
  DEFAULT_DARAJA_CLIENT_OPTIONS,
  type DarajaClientOptions,
} from './daraja-client.options';
import {
  darajaHttp,
  type DarajaHttpRequest,
  type DarajaHttpResult,
  describeResult,
  errorEnvelope,
  isInvalidToken,
} from './daraja-http';
import { stkCredentials } from './daraja-password';
import {
  countsAsOutage,
  isThrottled,
  isTransient,
  isUnsent,
  mapPushResponse,
  mapQueryResponse,
} from './daraja-responses';
import { checkStkPush } from './daraja-stk-fields';
import { ThrottleGate } from './daraja-throttle';
import {
  DarajaTokenCache,
  FALLBACK_LIFETIME_SECONDS,
  parseExpiresIn,
  type TokenFailure,
  type TokenFetchResult,
} from './daraja-token.cache';

const PUSH_PATH = '/mpesa/stkpush/v1/processrequest';
const QUERY_PATH = '/mpesa/stkpushquery/v1/query';
const OAUTH_PATH = '/oauth/v1/generate?grant_type=client_credentials';

/** Each has its own circuit breaker: an outage of one never pauses the others. */
export const DARAJA_OPERATIONS = ['token', 'push', 'query'] as const;
export type DarajaOperation = (typeof DARAJA_OPERATIONS)[number];

type Sent = { kind: 'done'; result: DarajaHttpResult } | { kind: 'circuit_open' };
type Exchange = Sent | { kind: 'no_token'; failure: TokenFailure };

const CIRCUIT_OPEN_CODE = 'circuit_open';
const THROTTLED_CODE = 'throttled';

const OPERATION_NAMES: Record<DarajaOperation, string> = {
  token: 'OAuth token',
  push: 'STK push',
  query: 'STK query',
};

function circuitOpen(operation: DarajaOperation): TokenFailure {
  return {
    code: CIRCUIT_OPEN_CODE,
    message: `Daraja ${OPERATION_NAMES[operation]} calls are failing; paused for a while`,
    retryable: true,
  };
}

function stateName(state: CircuitState): CircuitStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half_open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
  }
}

/**
 * M-PESA Express over Daraja. Reads AppConfig on every call, because in sandbox mode the base
 * URL is only known once the server listens. One instance per process: it owns the token cache,
 * one circuit breaker per operation (OAuth token, push, query) and the query throttle.
 *
 * Outages (network errors, 5xx) open the breaker of the operation that met them, so a query
 * outage or heavy polling never stops new pushes. Throttling (spike arrest, quota, 429) and
 * business refusals never open a breaker: a throttled push is a retryable refusal, and throttled
 * queries pause further queries for a moment (ThrottleGate) instead of feeding the rate limit.
 */
@Injectable()
export class DarajaClient implements PaymentProvider {
  private readonly logger = new Logger(DarajaClient.name);
  private readonly options: DarajaClientOptions;
  private readonly tokens = new DarajaTokenCache();
  private readonly breakers: Record<DarajaOperation, CircuitBreakerPolicy>;
  private readonly queryThrottle: ThrottleGate;
  private readonly retryUnsent: RetryPolicy;
  private readonly retryTransient: RetryPolicy;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(DARAJA_CLIENT_OPTIONS) options?: Partial<DarajaClientOptions>,
  ) {
    this.options = { ...DEFAULT_DARAJA_CLIENT_OPTIONS, ...options };
    const o = this.options;
    this.breakers = {
      token: this.newBreaker('token'),
      push: this.newBreaker('push'),
      query: this.newBreaker('query'),
    };
    this.queryThrottle = new ThrottleGate(o.throttleCooldownMs, o.throttleMaxCooldownMs);
    const backoff = new ExponentialBackoff({
      initialDelay: o.retryInitialDelayMs,
      maxDelay: o.retryMaxDelayMs,
    });
    this.retryUnsent = retry(
      handleWhenResult((r) => isUnsent(r as DarajaHttpResult)),
      { maxAttempts: o.retries, backoff },
    );
    this.retryTransient = retry(
      handleWhenResult((r) => isTransient(r as DarajaHttpResult)),
      { maxAttempts: o.retries, backoff },
    );
  }

  /** Each operation's breaker, for metrics, health and tests. */
  get circuitStates(): Record<DarajaOperation, CircuitStateName> {
    return {
      token: stateName(this.breakers.token.state),
      push: stateName(this.breakers.push.state),
      query: stateName(this.breakers.query.state),
    };
  }

  private newBreaker(operation: DarajaOperation): CircuitBreakerPolicy {
    const breaker = circuitBreaker(
      handleWhenResult((r) => countsAsOutage(r as DarajaHttpResult)),
      {
        halfOpenAfter: this.options.breakerHalfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.options.breakerThreshold),
      },
    );
    observeCircuit('daraja', operation, 'closed');
    breaker.onStateChange((state) => {
      const name = stateName(state);
      observeCircuit('daraja', operation, name);
      if (name === 'open') {
        this.logger.warn({ operation, code: CIRCUIT_OPEN_CODE }, 'Daraja circuit opened');
      } else {
        this.logger.log({ operation, state: name }, 'Daraja circuit state changed');
      }
    });
    return breaker;
  }

  async stkPush(request: StkPushRequest): Promise<StkPushResult> {
    const mpesa = this.config.mpesa;
    const check = checkStkPush(request, mpesa);
    if (!check.ok) {
      return { status: 'rejected', code: check.code, message: check.message, retryable: false };
    }
    const { fields } = check;
    const body = () => ({
      BusinessShortCode: mpesa.shortcode,
      ...stkCredentials(mpesa.shortcode, mpesa.passkey),
      TransactionType: mpesa.transactionType,
      Amount: fields.amount,
      PartyA: fields.msisdn,
      PartyB: mpesa.partyB,
      PhoneNumber: fields.msisdn,
      CallBackURL: this.config.mpesaCallbackUrl,
      AccountReference: fields.accountReference,
      TransactionDesc: fields.transactionDesc,
    });

    const exchange = await this.authorizedPost('push', PUSH_PATH, body, this.retryUnsent);
    const result = this.pushResult(exchange);
    const who = { phone: maskPhone(fields.msisdn), amount: fields.amount };
    if (result.status === 'accepted') {
      this.logger.log({ ...who, checkoutRequestId: result.checkoutRequestId }, 'STK push accepted');
    } else if (result.status === 'rejected') {
      this.logger.warn({ ...who, code: result.code, message: result.message }, 'STK push rejected');
    } else {
      this.logger.warn(
        { ...who, reason: result.reason },
        'STK push ambiguous: query, do not re-push',
      );
    }
    return result;
  }

  async stkQuery(checkoutRequestId: string): Promise<StkQueryResult> {
    const wait = this.queryThrottle.waitMs;
    if (wait > 0) {
      return {
        status: 'error',
        code: THROTTLED_CODE,
        message: `Daraja throttled status queries; holding them for ${Math.ceil(wait / 1000)} s`,
      };
    }
    const mpesa = this.config.mpesa;
    const body = () => ({
      BusinessShortCode: mpesa.shortcode,
      ...stkCredentials(mpesa.shortcode, mpesa.passkey),
      CheckoutRequestID: checkoutRequestId,
    });
    const exchange = await this.authorizedPost('query', QUERY_PATH, body, this.retryTransient);
    if (exchange.kind === 'circuit_open') {
      const { code, message } = circuitOpen('query');
      return { status: 'error', code, message };
    }
    if (exchange.kind === 'no_token') {
      return { status: 'error', code: exchange.failure.code, message: exchange.failure.message };
    }
    if (isThrottled(exchange.result)) {
      this.queryThrottle.throttled(
        exchange.result.kind === 'response' ? exchange.result.retryAfterMs : undefined,
      );
    } else if (exchange.result.kind === 'response') {
      this.queryThrottle.passed();
    }
    const result = mapQueryResponse(exchange.result);
    if (result.status === 'error') {
      this.logger.warn(
        { checkoutRequestId, outcome: describeResult(exchange.result) },
        'STK query failed',
      );
    }
    return result;
  }

  private pushResult(exchange: Exchange): StkPushResult {
    switch (exchange.kind) {
      case 'circuit_open':
        return { status: 'rejected', ...circuitOpen('push') };
      case 'no_token':
        return { status: 'rejected', ...exchange.failure };
      case 'done':
        return mapPushResponse(exchange.result);
    }
  }

  /**
   * POST with a Bearer token. A 404.001.03 (token revoked, e.g. by a newer one, or expired early)
   * is retried exactly once with a fresh token: Daraja refused the request before processing it.
   */
  private async authorizedPost(
    operation: 'push' | 'query',
    path: string,
    body: () => Record<string, unknown>,
    policy: RetryPolicy,
  ): Promise<Exchange> {
    const url = `${this.config.providerBaseUrl('mpesa')}${path}`;
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      // No token (OAuth refused, failing, or its circuit open): nothing was sent.
      if (!token.ok) return { kind: 'no_token', failure: token.failure };
      const sent = await this.send(operation, policy, {
        method: 'POST',
        url,
        headers: { Authorization: `Bearer ${token.token}` },
        body: body(),
        timeoutMs: this.options.timeoutMs,
      });
      if (sent.kind === 'done' && attempt === 0 && isInvalidToken(sent.result)) {
        this.logger.warn('Daraja refused the access token; refreshing once');
        this.tokens.invalidate(token.token);
        continue;
      }
      return sent;
    }
  }

  private accessToken() {
    const base = this.config.providerBaseUrl('mpesa');
    const { consumerKey, consumerSecret } = this.config.mpesa;
    return this.tokens.get(`${base}|${consumerKey}`, async (): Promise<TokenFetchResult> => {
      const basic = Buffer.from(`${consumerKey}:${consumerSecret}`, 'utf8').toString('base64');
      const sent = await this.send('token', this.retryTransient, {
        method: 'GET',
        url: `${base}${OAUTH_PATH}`,
        headers: { Authorization: `Basic ${basic}` },
        timeoutMs: this.options.timeoutMs,
      });
      if (sent.kind === 'circuit_open') return { ok: false, failure: circuitOpen('token') };
      const fetched = tokenFromResponse(sent.result);
      if (!fetched.ok) {
        this.logger.warn({ outcome: describeResult(sent.result) }, 'Daraja OAuth failed');
      }
      return fetched;
    });
  }

  private async send(
    operation: DarajaOperation,
    policy: RetryPolicy,
    request: DarajaHttpRequest,
  ): Promise<Sent> {
    const breaker = this.breakers[operation];
    try {
      const result = await policy.execute(() => breaker.execute(() => darajaHttp(request)));
      return { kind: 'done', result };
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        return { kind: 'circuit_open' };
      }
      throw error;
    }
  }
}

function tokenFromResponse(result: DarajaHttpResult): TokenFetchResult {
  if (result.kind === 'network') {
    return { ok: false, failure: { code: 'network', message: result.detail, retryable: true } };
  }
  const body = (typeof result.body === 'object' && result.body !== null ? result.body : {}) as {
    access_token?: unknown;
    expires_in?: unknown;
  };
  if (result.status === 200 && typeof body.access_token === 'string' && body.access_token) {
    return {
      ok: true,
      token: body.access_token,
      expiresInSeconds: parseExpiresIn(body.expires_in) ?? FALLBACK_LIFETIME_SECONDS,
    };
  }
  const envelope = errorEnvelope(result.body);
  return {
    ok: false,
    failure: {
      code: envelope?.errorCode ?? `oauth_http_${result.status}`,
      message: envelope?.errorMessage || `OAuth answered HTTP ${result.status}`,
      // Bad keys (400.008.0x, 401) will not fix themselves; outages will.
      retryable: result.status >= 500 || result.status === 429 || result.status === 200,
    },
  };
}
