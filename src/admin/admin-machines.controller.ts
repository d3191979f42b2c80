import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApi } from './admin-api.decorator';
import {
  type MachineDescription,
  type MachineInstance,
  AdminMachinesService,
  type MachineSummary,
} from './admin-machines.service';

@AdminApi()
@Controller('admin/machines')
export class AdminMachinesController {
  constructor(private readonly machines: AdminMachinesService) {}

  @Get()
  @ApiOperation({ summary: 'Registered machine kinds with versions and counts by state' })
  async list(): Promise<{ items: MachineSummary[] }> {
    return { items: await this.machines.list() };
  }

  @Get(':kind')
  @ApiOperation({ summary: 'A machine’s definition as JSON and as a Mermaid state diagram' })
  @ApiNotFoundResponse({ description: 'Unknown machine kind' })
  describe(@Param('kind') kind: string): MachineDescription {
    return this.machines.describe(kind);
  }

  @Get(':kind/:id')
  @ApiOperation({ summary: 'One stored machine: snapshot (phones masked) and its transitions' })
  @ApiNotFoundResponse({ description: 'Unknown machine kind or id' })
  instance(@Param('kind') kind: string, @Param('id') id: string): Promise<MachineInstance> {
    return this.machines.instance(kind, id);
  }
}
