import { Injectable } from '@nestjs/common';
import type { FaultDto, SettingsDto } from './daraja-control.dto';
import { DarajaSimState } from './daraja-sim.state';
import type {
  SimCallbackRecord,
  SimFault,
  SimMode,
  SimPush,
  SimRequestRecord,
  SimSettings,
} from './daraja-simulator.types';

export interface PromptView {
  checkoutRequestId: string;
  merchantRequestId: string;
  phone: string;
  amount: number;
  businessShortCode: string;
  accountReference: string;
  transactionDesc: string;
  mode: SimMode;
  outcome: string;
  status: SimPush['status'];
  resultCode?: number;
  resultDesc?: string;
  receipt?: string;
  paidAmount?: number;
  createdAt: string;
  finalAt?: string;
}

export function promptView(push: SimPush): PromptView {
  return {
    checkoutRequestId: push.checkoutRequestId,
    merchantRequestId: push.merchantRequestId,
    phone: push.phone,
    amount: push.amount,
    businessShortCode: push.businessShortCode,
    accountReference: push.accountReference,
    transactionDesc: push.transactionDesc,
    mode: push.plan.mode,
    outcome: push.plan.outcome,
    status: push.status,
    resultCode: push.resultCode,
    resultDesc: push.resultDesc,
    receipt: push.receipt,
    paidAmount: push.paidAmount,
    createdAt: push.createdAt,
    finalAt: push.finalAt,
  };
}

/** Test and sandbox-page knobs of the Daraja simulator; none of this exists on the real API. */
@Injectable()
export class DarajaControlService {
  constructor(private readonly state: DarajaSimState) {}

  settings(patch: SettingsDto = {}): SimSettings {
    const defined = Object.entries(patch).filter(([, v]) => v !== undefined);
    this.state.settings = { ...this.state.settings, ...Object.fromEntries(defined) };
    return this.state.settings;
  }

  addFault(dto: FaultDto): SimFault[] {
    this.state.faults.push({
      target: dto.target,
      kind: dto.kind,
      httpStatus: dto.httpStatus ?? 500,
      errorCode: dto.errorCode ?? '500.003.1001',
      errorMessage: dto.errorMessage ?? 'Internal Server Error',
      delayMs: dto.delayMs ?? 5_000,
      afterProcessing: dto.afterProcessing ?? false,
      remaining: dto.count ?? 1,
    });
    return this.state.faults;
  }

  expireTokens(): number {
    return this.state.tokens.expireAll();
  }

  pendingPrompts(): PromptView[] {
    return [...this.state.pushes.values()].filter((p) => p.status === 'pending').map(promptView);
  }

  pushes(): PromptView[] {
    return [...this.state.pushes.values()].map(promptView).reverse();
  }

  requests(kind?: SimRequestRecord['kind']): {
    oauthCalls: number;
    requests: SimRequestRecord[];
  } {
    const requests = kind
      ? this.state.requests.filter((r) => r.kind === kind)
      : this.state.requests;
    return { oauthCalls: this.state.oauthCalls, requests };
  }

  callbacks(): SimCallbackRecord[] {
    return this.state.callbacks;
  }

  reset(tokens = false): void {
    this.state.reset({ tokens });
  }
}
