/**
 * A phone number as a customer types it, to E.164: "067 123 45 67", "(067) 123-45-67", "380671234567" and
 * "+38 067 123 45 67" are all +380671234567. Numbers without a country are Ukrainian. Undefined when it is not a
 * phone number one can call.
 */
export function normalizePhone(typed: string): string | undefined {
  const trimmed = typed.trim();
  if (!/^[+\d\s().-]{5,30}$/.test(trimmed)) return undefined;
  const plus = trimmed.startsWith('+') || trimmed.startsWith('00');
  let digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('00')) digits = digits.slice(2);
  if (!plus) {
    // Ukrainian ways of writing a number without its country: 0XX XXX XX XX, 80XX…, 380XX…, XX XXX XX XX.
    if (/^0\d{9}$/.test(digits)) digits = `38${digits}`;
    else if (/^80\d{9}$/.test(digits)) digits = `3${digits}`;
    else if (/^[1-9]\d{8}$/.test(digits)) digits = `380${digits}`;
  } else if (/^80\d{9}$/.test(digits)) {
    digits = `3${digits}`;
  }
  if (digits.startsWith('380')) return /^380[1-9]\d{8}$/.test(digits) ? `+${digits}` : undefined;
  if (!plus) return undefined;
  return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined;
}
