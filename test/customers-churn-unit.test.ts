import { activeRange, churnRates } from '../inbox/customers/churn';
import { kyivDay, splitIntervals } from '../inbox/customers/days';
import { campaignRatePerSecond, paceFrom } from '../inbox/customers/pacing';

const DAY = 24 * 60 * 60_000;
const iso = (d: Date) => d.toISOString();

describe('churn rules', () => {
  it('computes both rates from their inputs, and none when nobody was active at the start', () => {
    expect(churnRates({ c1: 40, c2: 30, c3: 6 })).toEqual({ churnNet: 0.25, churnWithNew: 0.4 });
    // New customers outnumbering the lost ones make the net rate negative: the base grew.
    expect(churnRates({ c1: 4, c2: 5, c3: 3 })).toEqual({ churnNet: -0.25, churnWithNew: 0.5 });
    expect(churnRates({ c1: 0, c2: 7, c3: 7 })).toEqual({ churnNet: null, churnWithNew: null });
  });

  it('counts a Kyiv day, summer and winter time alike', () => {
    expect(kyivDay(new Date('2024-01-31T21:59:59Z'))).toBe('2024-01-31');
    expect(kyivDay(new Date('2024-01-31T22:00:00Z'))).toBe('2024-02-01');
    expect(kyivDay(new Date('2024-07-14T20:59:59Z'))).toBe('2024-07-14');
    expect(kyivDay(new Date('2024-07-14T21:00:00Z'))).toBe('2024-07-15');
  });

  it('takes the window before a moment, the moment itself left out, with the Kyiv days that bound it', () => {
    expect(activeRange(new Date('2024-03-01T00:00:00+02:00'), 30 * DAY)).toEqual({
      from: new Date('2024-01-30T22:00:00Z'),
      to: new Date('2024-02-29T22:00:00Z'),
      fromDay: '2024-01-31',
      toDay: '2024-03-01',
    });
  });

  it('cuts a range at the Kyiv months it crosses, across the change to summer time', () => {
    const months = splitIntervals(new Date('2024-02-01T00:00:00+02:00'), new Date('2024-05-01T00:00:00+03:00'), 'month');
    expect(months.map((m) => [iso(m.start), iso(m.end)])).toEqual([
      ['2024-01-31T22:00:00.000Z', '2024-02-29T22:00:00.000Z'],
      ['2024-02-29T22:00:00.000Z', '2024-03-31T21:00:00.000Z'],
      ['2024-03-31T21:00:00.000Z', '2024-04-30T21:00:00.000Z'],
    ]);
  });

  it('cuts at Mondays for weeks, the edges of a range inside a week kept short', () => {
    // Wednesday 2024-03-06 noon to Wednesday 2024-03-20 noon, Kyiv.
    const weeks = splitIntervals(new Date('2024-03-06T12:00:00+02:00'), new Date('2024-03-20T12:00:00+02:00'), 'week');
    expect(weeks.map((w) => [iso(w.start), iso(w.end)])).toEqual([
      ['2024-03-06T10:00:00.000Z', '2024-03-10T22:00:00.000Z'],
      ['2024-03-10T22:00:00.000Z', '2024-03-17T22:00:00.000Z'],
      ['2024-03-17T22:00:00.000Z', '2024-03-20T10:00:00.000Z'],
    ]);
  });

  it('paces a campaign under each channel’s limit: 25 Telegram messages a second, 5 mails', () => {
    const start = new Date('2024-04-01T09:00:00Z');
    const telegram = Array.from({ length: 51 }, (_, i) => paceFrom(start, i, campaignRatePerSecond.telegram).getTime() - start.getTime());
    expect(telegram.filter((ms) => ms < 1000)).toHaveLength(25);
    expect(telegram.at(-1)).toBe(2000);
    expect([0, 1, 4, 5].map((i) => paceFrom(start, i, campaignRatePerSecond.email).getTime() - start.getTime())).toEqual([
      0, 200, 800, 1000,
    ]);
  });
});
