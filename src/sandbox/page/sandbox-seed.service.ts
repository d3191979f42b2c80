import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { CustomersService } from '../../merchants/customers.service';
import { MerchantsService } from '../../merchants/merchants.service';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import { DarajaControlService } from '../daraja/daraja-control.service';
import { DEMO_CUSTOMERS, DEMO_MERCHANT } from './sandbox-demo';

/**
 * Sandbox mode only: makes sure the demo merchant and customers exist, gives the merchant a
 * fresh API key (printed once: keys are stored hashed), and makes STK prompts wait for the
 * person at the /sandbox page instead of answering themselves.
 */
@Injectable()
export class SandboxSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Sandbox');
  apiKey: string | null = null;
  merchantId: string | null = null;

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly merchants: MerchantsService,
    private readonly customers: CustomersService,
    private readonly daraja: DarajaControlService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.sandboxDemo) return;
    await this.seed();
    this.daraja.settings({ mode: 'interactive', promptTimeoutMs: 60_000 });
  }

  async seed(): Promise<{ merchantId: string; apiKey: string }> {
    const { merchantId, apiKey } = await this.signals.transaction(async (tx) => {
      const seeded = await this.merchantWithFreshKey(tx);
      for (const customer of DEMO_CUSTOMERS) {
        await this.customers.remember(tx, seeded.merchantId, {
          phone: customer.phone,
          name: customer.name,
        });
      }
      return seeded;
    });
    this.merchantId = merchantId;
    this.apiKey = apiKey;
    this.logger.log(
      `Sandbox demo merchant "${DEMO_MERCHANT.name}" (${DEMO_MERCHANT.phone}) is ready. Its API key, new at each start: ${apiKey}`,
    );
    return { merchantId, apiKey };
  }

  private async merchantWithFreshKey(
    tx: EntityManager,
  ): Promise<{ merchantId: string; apiKey: string }> {
    const existing = await this.merchants.findByWhatsappPhone(DEMO_MERCHANT.phone, tx);
    if (existing) {
      const rotated = await this.merchants.rotateApiKey(tx, existing.id);
      return { merchantId: existing.id, apiKey: rotated.apiKey };
    }
    const created = await this.merchants.create(tx, {
      displayName: DEMO_MERCHANT.name,
      whatsappPhone: DEMO_MERCHANT.phone,
      locale: DEMO_MERCHANT.locale,
    });
    return { merchantId: created.merchant.id, apiKey: created.apiKey };
  }
}
