import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SANDBOX_DEFAULTS } from '../../config/sandbox-defaults';
import { DarajaPromptsService } from './daraja-prompts.service';
import { checkoutRequestId, errorRequestId, merchantRequestId } from './daraja-sim-ids';
import { DarajaSimState } from './daraja-sim.state';
import {
  invalid,
  type Passkeys,
  type SimError,
  validatePush,
  validateQuery,
} from './daraja-sim.validation';
import type { FaultTarget, SimPush, SimReply, SimRequestRecord } from './daraja-simulator.types';

export interface WireRequest {
  path: string;
  contentType?: string;
  authorization?: string;
  body: unknown;
}

const ACCEPTED = 'Success. Request accepted for processing';
// Sic: Daraja's query really says "successsfully".
const QUERY_ACCEPTED = 'The service request has been accepted successsfully';
const LOCKED =
  'Unable to lock subscriber, a transaction is already in process for the current subscriber';

function envelope(error: SimError, requestId: string = errorRequestId()): SimReply {
  return {
    status: error.status,
    body: { requestId, errorCode: error.errorCode, errorMessage: error.errorMessage },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The three Daraja endpoints the app uses, answering as Safaricom does (PROTOCOLS.md §1). */
@Injectable()
export class DarajaSimulatorService {
  constructor(
    private readonly config: AppConfig,
    private readonly state: DarajaSimState,
    private readonly prompts: DarajaPromptsService,
  ) {}

  async oauth(request: WireRequest & { grantType: unknown }): Promise<SimReply> {
    this.state.oauthCalls += 1;
    const reply = await this.withFault('oauth', () => Promise.resolve(this.issueToken(request)));
    this.record('oauth', 'GET', { grant_type: request.grantType }, request, reply);
    return reply;
  }

  async push(request: WireRequest): Promise<SimReply> {
    const reply = await this.withFault('push', () => this.processPush(request));
    this.record('push', 'POST', request.body, request, reply);
    return reply;
  }

  async query(request: WireRequest): Promise<SimReply> {
    const reply = await this.withFault('query', () => Promise.resolve(this.processQuery(request)));
    this.record('query', 'POST', request.body, request, reply);
    return reply;
  }

  private issueToken(request: WireRequest & { grantType: unknown }): SimReply {
    if (request.grantType !== 'client_credentials') {
      return envelope({
        status: 400,
        errorCode: '400.008.02',
        errorMessage: 'Invalid grant type passed',
      });
    }
    const badAuth = envelope({
      status: 400,
      errorCode: '400.008.01',
      errorMessage: 'Invalid Authentication passed',
    });
    const match = /^Basic\s+(\S+)\s*$/i.exec(request.authorization ?? '');
    if (!match) return badAuth;
    const { consumerKey, consumerSecret } = this.config.mpesa;
    if (Buffer.from(match[1] ?? '', 'base64').toString() !== `${consumerKey}:${consumerSecret}`) {
      return badAuth;
    }
    const { tokenTtlSeconds, invalidatePreviousToken } = this.state.settings;
    const token = this.state.tokens.issue(tokenTtlSeconds, invalidatePreviousToken);
    // A string, as Daraja sends it in practice.
    return { status: 200, body: { access_token: token, expires_in: String(tokenTtlSeconds) } };
  }

  private async processPush(request: WireRequest): Promise<SimReply> {
    if (!this.state.tokens.accepts(request.authorization)) return envelope(INVALID_TOKEN);
    const checked = validatePush(request.contentType, request.body, this.passkeys());
    if (!checked.ok) return envelope(checked.error);
    const p = checked.value;
    if (this.state.locks.has(p.PhoneNumber)) {
      return envelope({ status: 500, errorCode: '500.001.1001', errorMessage: LOCKED });
    }
    const push: SimPush = {
      merchantRequestId: merchantRequestId(),
      checkoutRequestId: checkoutRequestId(),
      phone: p.PhoneNumber,
      amount: p.Amount,
      businessShortCode: p.BusinessShortCode,
      transactionType: p.TransactionType,
      partyB: p.PartyB,
      accountReference: p.AccountReference,
      transactionDesc: p.TransactionDesc,
      callbackUrl: p.CallBackURL,
      plan: this.prompts.planFor(p.PhoneNumber, p.Amount),
      status: 'pending',
      createdAt: new Date().toISOString(),
      queries: 0,
    };
    this.state.pushes.set(push.checkoutRequestId, push);
    this.state.locks.set(push.phone, push.checkoutRequestId);
    await this.prompts.start(push);
    return {
      status: 200,
      body: {
        MerchantRequestID: push.merchantRequestId,
        CheckoutRequestID: push.checkoutRequestId,
        ResponseCode: '0',
        ResponseDescription: ACCEPTED,
        CustomerMessage: ACCEPTED,
      },
    };
  }

  private processQuery(request: WireRequest): SimReply {
    const limit = this.state.settings.queryRateLimitPerMinute;
    if (limit > 0) {
      const now = Date.now();
      this.state.queryTimes = this.state.queryTimes.filter((t) => t > now - 60_000);
      if (this.state.queryTimes.length >= limit) {
        return envelope({
          status: 500,
          errorCode: '500.003.02',
          errorMessage: 'Spike Arrest Violation',
        });
      }
      this.state.queryTimes.push(now);
    }
    if (!this.state.tokens.accepts(request.authorization)) return envelope(INVALID_TOKEN);
    const checked = validateQuery(request.contentType, request.body, this.passkeys());
    if (!checked.ok) return envelope(checked.error);
    const push = this.state.pushes.get(checked.value.CheckoutRequestID);
    if (!push) return envelope(invalid('CheckoutRequestID'));
    push.queries += 1;
    const head = {
      ResponseCode: '0',
      ResponseDescription: QUERY_ACCEPTED,
      MerchantRequestID: push.merchantRequestId,
      CheckoutRequestID: push.checkoutRequestId,
    };
    if (push.status === 'final') {
      return {
        status: 200,
        body: { ...head, ResultCode: String(push.resultCode), ResultDesc: push.resultDesc },
      };
    }
    const style = this.state.settings.queryPendingStyle;
    const use4999 = style === 'result4999' || (style === 'alternate' && push.queries % 2 === 0);
    if (use4999) {
      return {
        status: 200,
        body: {
          ...head,
          ResultCode: '4999',
          ResultDesc: 'The transaction is still under processing',
        },
      };
    }
    return envelope(
      {
        status: 500,
        errorCode: '500.001.1001',
        errorMessage: 'The transaction is being processed',
      },
      push.checkoutRequestId,
    );
  }

  /** Applies a queued fault (POST /control/faults) to this call, if there is one. */
  private async withFault(target: FaultTarget, run: () => Promise<SimReply>): Promise<SimReply> {
    const fault = this.state.takeFault(target);
    if (!fault) return run();
    if (fault.kind === 'delay') {
      if (!fault.afterProcessing) await sleep(fault.delayMs);
      const reply = await run();
      if (fault.afterProcessing) await sleep(fault.delayMs);
      return reply;
    }
    if (fault.afterProcessing) await run();
    if (fault.kind === 'drop') return { drop: true };
    return envelope({
      status: fault.httpStatus,
      errorCode: fault.errorCode,
      errorMessage: fault.errorMessage,
    });
  }

  /** The configured merchant, and Safaricom's public sandbox shortcode. */
  private passkeys(): Passkeys {
    return new Map([
      [SANDBOX_DEFAULTS.mpesaShortcode, SANDBOX_DEFAULTS.mpesaPasskey],
      [this.config.mpesa.shortcode, this.config.mpesa.passkey],
    ]);
  }

  private record(
    kind: SimRequestRecord['kind'],
    method: string,
    body: unknown,
    request: WireRequest,
    reply: SimReply,
  ): void {
    const scheme = /^(\S+)\s/.exec(request.authorization ?? '')?.[1];
    this.state.record({
      kind,
      method,
      path: request.path,
      contentType: request.contentType,
      authScheme: scheme,
      body,
      status: 'drop' in reply ? 0 : reply.status,
      response: 'drop' in reply ? '[connection dropped]' : reply.body,
    });
  }
}

const INVALID_TOKEN: SimError = {
  status: 404,
  errorCode: '404.001.03',
  errorMessage: 'Invalid Access Token',
};
