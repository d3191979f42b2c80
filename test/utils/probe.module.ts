import { Body, Controller, Get, Logger, Module, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';

class ProbeDto {
  @IsString() @MinLength(3) description!: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(250_000) amount!: number;
}

/** Routes that exist only in tests, to exercise the global HTTP behaviour. */
@Controller('__probe')
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Post('validate')
  validate(@Body() dto: ProbeDto): ProbeDto {
    return dto;
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2 at /srv/app/secret.ts:12');
  }

  @Get('log-phone')
  logPhone(@Query('phone') phone: string): { ok: true } {
    this.logger.log(`sending invoice to ${phone}`);
    this.logger.log({ msg: 'structured', phone, text: 'invoice body with 0712345678' });
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
