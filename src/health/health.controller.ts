import {
  Controller,
  Get,
  HttpStatus,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { DomainError } from '../common/http/domain-error';
import { MigrationsQuery } from './migrations.query';

@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly migrations: MigrationsQuery,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isUpToDate(key: string) {
    const indicator = this.indicators.check(key);
    try {
      const applied = await this.migrations.appliedNames(this.dataSource.manager);
      const pending = MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
      return pending.length === 0
        ? indicator.up({ applied: applied.size })
        : indicator.down({ message: `pending migrations: ${pending.join(', ')}` });
    } catch {
      return indicator.down({ message: 'cannot read the migrations table' });
    }
  }
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers. Touches nothing else.' })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: database reachable and every migration applied (503 otherwise).',
  })
  async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 2_000 }),
        () => this.migrations.isUpToDate('migrations'),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const reasons = Object.entries(result.error ?? {}).map(([name, detail]) => {
        const message = (detail as { message?: unknown }).message;
        return `${name} is down${typeof message === 'string' ? ` (${message})` : ''}`;
      });
      throw new DomainError(
        'not_ready',
        `Not ready: ${reasons.join('; ')}`,
        HttpStatus.SERVICE_UNAVAILABLE,
        {
          checks: result.details,
        },
      );
    }
  }
}
