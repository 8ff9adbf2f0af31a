import { localTime } from '../src/shift';

test('the per-minute memo of local time answers what Intl answers, across zones and DST changes', () => {
  const zones = ['UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide', 'America/St_Johns', 'Asia/Kathmandu'];
  const fresh = (d: Date, timeZone: string) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    return { day: get('weekday').toLowerCase().slice(0, 3), minutes: Number(get('hour')) * 60 + Number(get('minute')) };
  };
  // Around the 2026 DST changes in Europe and the US, second by second steps and random jumps.
  let t = Date.parse('2026-03-08T06:30:00Z');
  for (let i = 0; i < 3000; i++) {
    t += i % 3 === 0 ? 7_919 : i % 3 === 1 ? 59_999 : 3_600_000 * 7;
    const d = new Date(t);
    for (const z of zones) expect(localTime(d, z)).toEqual(fresh(d, z));
  }
});
