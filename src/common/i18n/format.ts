import type { Locale } from '../../config/app-config';

const TIME_ZONE = 'Africa/Nairobi';

const MONTHS: Record<Locale, readonly string[]> = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  sw: [
    'Januari',
    'Februari',
    'Machi',
    'Aprili',
    'Mei',
    'Juni',
    'Julai',
    'Agosti',
    'Septemba',
    'Oktoba',
    'Novemba',
    'Desemba',
  ],
};

/** 250000 → "250,000". Done by hand so output never depends on the ICU data Node ships with. */
export function formatNumber(value: number): string {
  const sign = value < 0 ? '-' : '';
  const digits = Math.trunc(Math.abs(value)).toString();
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1500 → "KES 1,500" (the same in both languages: that is how prices are written in Kenya). */
export function formatAmount(amount: number): string {
  return `KES ${formatNumber(amount)}`;
}

const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function nairobiParts(date: Date): {
  year: string;
  month: number;
  day: string;
  hour: string;
  minute: string;
} {
  const parts: Record<string, string> = {};
  for (const part of partsFormatter.formatToParts(date)) parts[part.type] = part.value;
  return {
    year: parts.year ?? '',
    month: Number(parts.month),
    day: String(Number(parts.day)),
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
  };
}

/** "5 Mar 2026" / "5 Machi 2026", the calendar day in Nairobi. */
export function formatDate(date: Date, locale: Locale): string {
  const p = nairobiParts(date);
  return `${p.day} ${MONTHS[locale][p.month - 1] ?? ''} ${p.year}`;
}

/** "14:05" Nairobi time; 24-hour, which reads the same in both languages. */
export function formatTime(date: Date): string {
  const p = nairobiParts(date);
  return `${p.hour}:${p.minute}`;
}

/** "5 Mar 2026, 14:05" / "5 Machi 2026, 14:05". */
export function formatDateTime(date: Date, locale: Locale): string {
  return `${formatDate(date, locale)}, ${formatTime(date)}`;
}

/** The nine digits after 0 or +254, whatever form the number came in. */
function nationalDigits(phone: string): string {
  return phone.replace(/\D/g, '').slice(-9);
}

/** "0712 345 678", how Kenyans write a number. */
export function formatPhone(phone: string): string {
  const n = nationalDigits(phone);
  return `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
}

/** "0712 *** 678": enough to tell customers apart in a list without spelling the number out. */
export function maskPhoneForList(phone: string): string {
  const n = nationalDigits(phone);
  return `0${n.slice(0, 3)} *** ${n.slice(6)}`;
}

/** "Mary Wanjiku" when a name is known, otherwise the number as Kenyans write it. */
export function customerLabel(name: string | null | undefined, phone: string): string {
  return name && name.trim() !== '' ? name : formatPhone(phone);
}
