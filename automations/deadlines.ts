import type { Deadlines, WaitDeadlines } from '../inbox/ports';
import { type Channel, channelNames } from '../shared/channels';
import { alwaysOpen, type BusinessCalendar, parseBusinessHours } from './business-hours';
import { type AutomationSettings, pick } from './settings';

/**
 * The waiting clocks of each channel: escalation after ESCALATION_AFTER and the first-response target, both
 * counted in business hours, with the warning SLA_WARN_BEFORE ahead of the target.
 */
export class WaitClocks implements Deadlines {
  private readonly calendars: Record<Channel, BusinessCalendar>;

  constructor(private readonly settings: AutomationSettings) {
    const parsed = new Map<string, BusinessCalendar>();
    this.calendars = Object.fromEntries(
      channelNames.map((channel) => {
        const spec = pick(settings.businessHours, channel);
        if (!spec) return [channel, alwaysOpen];
        const calendar = parsed.get(spec) ?? parseBusinessHours(spec);
        parsed.set(spec, calendar);
        return [channel, calendar];
      }),
    ) as Record<Channel, BusinessCalendar>;
  }

  calendar(channel: Channel): BusinessCalendar {
    return this.calendars[channel];
  }

  escalationAfter(channel: Channel): number {
    return pick(this.settings.escalationAfter, channel);
  }

  slaTarget(channel: Channel): number {
    return this.settings.slaFirstResponse[channel];
  }

  forWait(channel: Channel, since: Date, firstResponse: boolean): WaitDeadlines {
    const calendar = this.calendars[channel];
    const escalationDueAt = calendar.addBusinessMs(since, this.escalationAfter(channel));
    if (!firstResponse) return { escalationDueAt, slaWarnAt: null, slaBreachAt: null };
    const target = this.slaTarget(channel);
    const warnBefore = this.settings.slaWarnBefore[channel];
    return {
      escalationDueAt,
      // A warning asked for earlier than the wait itself (SLA_WARN_BEFORE at or above the target) is not given.
      slaWarnAt: warnBefore > 0 && warnBefore < target ? calendar.addBusinessMs(since, target - warnBefore) : null,
      slaBreachAt: calendar.addBusinessMs(since, target),
    };
  }

  escalationFrom(channel: Channel, at: Date): Date {
    return this.calendars[channel].addBusinessMs(at, this.escalationAfter(channel));
  }
}
