/**
 * Masking for anything that may reach a log line. Phone numbers are personal data of our
 * users' customers; logs keep only enough to correlate (`137****5333`).
 */
export const maskPhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(phone.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
};

/** Masks every run of 7+ digits (optionally `+`-prefixed) inside free text. */
export const maskDigitsIn = (text: string): string =>
  text.replace(/\+?\d[\d -]{5,}\d/g, (run) => maskPhone(run));
