import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { queryRows } from '../../database/sql';
import { MerchantsService } from '../../merchants/merchants.service';
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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly merchants: MerchantsService,
    private readonly daraja: DarajaControlService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.sandboxDemo) return;
    await this.seed();
    this.daraja.settings({ mode: 'interactive', promptTimeoutMs: 60_000 });
  }

  async seed(): Promise<{ merchantId: string; apiKey: string }> {
    const [existing] = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM merchants WHERE whatsapp_phone = $1`,
      [DEMO_MERCHANT.phone],
    );
    let merchantId: string;
    let apiKey: string;
    if (existing) {
      merchantId = existing.id;
      apiKey = (await this.merchants.rotateApiKey(merchantId)).apiKey;
    } else {
      const created = await this.merchants.create({
        displayName: DEMO_MERCHANT.name,
        whatsappPhone: DEMO_MERCHANT.phone,
        locale: DEMO_MERCHANT.locale,
      });
      merchantId = created.merchant.id;
      apiKey = created.apiKey;
    }
    for (const customer of DEMO_CUSTOMERS) {
      await this.dataSource.query(
        `INSERT INTO customers (merchant_id, name, phone) VALUES ($1, $2, $3)
         ON CONFLICT (merchant_id, phone) DO NOTHING`,
        [merchantId, customer.name, customer.phone],
      );
    }
    this.merchantId = merchantId;
    this.apiKey = apiKey;
    this.logger.log(
      `Sandbox demo merchant "${DEMO_MERCHANT.name}" (${DEMO_MERCHANT.phone}) is ready. Its API key, new at each start: ${apiKey}`,
    );
    return { merchantId, apiKey };
  }
}
