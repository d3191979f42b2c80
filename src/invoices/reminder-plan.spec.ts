import { DEFAULT_REMINDERS, expiryTime, reminderPlan, reminderSettingsFrom } from './reminder-plan';

const created = new Date('2026-03-01T08:00:00Z');

describe('reminder plan', () => {
  it('with a due date: 3 days before, on the day and 3 days after, at 09:00 Nairobi', () => {
    expect(
      reminderPlan({ dueDate: '2026-03-20', createdAt: created, settings: DEFAULT_REMINDERS }),
    ).toEqual({
      at: ['2026-03-17T06:00:00.000Z', '2026-03-20T06:00:00.000Z', '2026-03-23T06:00:00.000Z'],
      afterDeliveryMs: [],
    });
  });

  it('drops reminders that would come within a day of the invoice itself', () => {
    const plan = reminderPlan({
      dueDate: '2026-03-03',
      createdAt: created,
      settings: DEFAULT_REMINDERS,
    });
    expect(plan.at).toEqual(['2026-03-03T06:00:00.000Z', '2026-03-06T06:00:00.000Z']);
  });

  it('without a due date: 24 h and 72 h after delivery', () => {
    expect(
      reminderPlan({ dueDate: null, createdAt: created, settings: DEFAULT_REMINDERS }),
    ).toEqual({
      at: [],
      afterDeliveryMs: [86_400_000, 259_200_000],
    });
  });

  it('never plans two reminders on the same day, whatever the merchant configured', () => {
    const settings = reminderSettingsFrom({ afterDeliveryHours: [24, 30, 48, 12] });
    expect(reminderPlan({ dueDate: null, createdAt: created, settings }).afterDeliveryMs).toEqual([
      86_400_000, 172_800_000,
    ]);
  });

  it('is empty when the merchant turned reminders off, and ignores malformed settings', () => {
    expect(
      reminderPlan({
        dueDate: null,
        createdAt: created,
        settings: reminderSettingsFrom({ enabled: false }),
      }),
    ).toEqual({
      at: [],
      afterDeliveryMs: [],
    });
    expect(reminderSettingsFrom({ dueDateOffsetsDays: 'soon', enabled: 'yes' })).toEqual(
      DEFAULT_REMINDERS,
    );
  });
});

describe('invoice expiry', () => {
  it('is the end of the due day in Nairobi plus the grace days; never without a due date or when off', () => {
    expect(expiryTime('2026-03-20', 30)).toBe('2026-04-19T21:00:00.000Z');
    expect(expiryTime('2026-03-20', 0)).toBe('2026-03-20T21:00:00.000Z');
    expect(expiryTime(null, 30)).toBeNull();
    expect(expiryTime('2026-03-20', null)).toBeNull();
  });
});
