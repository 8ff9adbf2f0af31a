import type { Expert, Weekday } from '@chorus/schemas';

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The last answer per time zone, for the minute it holds: every expert × waiting case × tick asks the same. */
const lastLocal = new Map<string, { minute: number; value: { day: Weekday; minutes: number } }>();

/** Weekday and minutes since midnight at `now` in the given IANA time zone. */
export function localTime(now: Date, timeZone: string): { day: Weekday; minutes: number } {
  // Time-zone offsets are whole minutes, so the answer is the same for a whole UTC minute (Intl's formatToParts was a
  // third of the router's time when it ran for every expert and waiting case on every tick).
  const minute = Math.floor(now.getTime() / 60_000);
  const cached = lastLocal.get(timeZone);
  if (cached && cached.minute === minute) return cached.value;
  const value = computeLocalTime(now, timeZone);
  lastLocal.set(timeZone, { minute, value });
  return value;
}

function computeLocalTime(now: Date, timeZone: string): { day: Weekday; minutes: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Weekday;
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  return { day: WEEKDAYS.includes(day) ? day : 'mon', minutes };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** True when `now` falls in one of the expert's weekly shifts (in their own time zone) and not in a time off. */
export function isOnShift(expert: Pick<Expert, 'timeZone' | 'workingHours' | 'outOfOffice'>, now: Date): boolean {
  const t = now.getTime();
  if (expert.outOfOffice.some((r) => Date.parse(r.from) <= t && t < Date.parse(r.to))) return false;
  const { day, minutes } = localTime(now, expert.timeZone);
  return expert.workingHours.some((w) => {
    if (w.day !== day) return false;
    const start = toMinutes(w.start);
    const end = toMinutes(w.end);
    // A shift written 22:00–06:00 crosses midnight; this covers its evening part (the morning is the next day's entry).
    return end > start ? minutes >= start && minutes < end : minutes >= start;
  });
}
