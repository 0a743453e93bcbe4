import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Between, type Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { AccountDailyVolume } from '../../projections/account-daily-volume.entity.js';
import type { DailyVolumeReport } from './daily-volume.response.js';
import { GetDailyVolumeQuery } from './get-daily-volume.query.js';

@QueryHandler(GetDailyVolumeQuery)
export class GetDailyVolumeHandler implements IQueryHandler<
  GetDailyVolumeQuery,
  DailyVolumeReport
> {
  private readonly volumes: Repository<AccountDailyVolume>;

  constructor(read: ReadDatabase) {
    this.volumes = read.repository(AccountDailyVolume);
  }

  async execute({ from, to }: GetDailyVolumeQuery): Promise<DailyVolumeReport> {
    const rows = await this.volumes.find({
      where: { day: Between(from, to) },
      order: { day: 'ASC', currency: 'ASC' },
    });
    const days = rows.map((row) => ({
      day: row.day,
      currency: row.currency,
      deposits: { count: row.depositCount, sum: row.depositSum },
      withdrawals: { count: row.withdrawalCount, sum: row.withdrawalSum },
      rejected: { count: row.rejectedCount },
    }));
    return { from, to, days };
  }
}
