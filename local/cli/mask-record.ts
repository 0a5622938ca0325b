/**
 * Masks phone numbers in what the records CLI prints (unless `--unmask`): fields that hold a
 * phone by name, and Chinese mobile numbers anywhere in text (recording URLs carry them, and so
 * can transcripts). Ids are left alone.
 */
import { maskPhone } from '../../functions/commons/mask.js';

const PHONE_KEY = /phone|mobile|telephone|tel$|联系方式|电话|手机/i;
const ID_KEY = /(^|[a-z])(id|Id|ID|pk)$/;
/** A mainland mobile number on its own (not digits inside a UUID, an S3 key or a longer id). */
const MOBILE = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/g;

export const maskRecord = (value: unknown, key = ''): unknown => {
  if (typeof value === 'string') {
    // A phone field may hold a line name (callerPhone) or an already redacted value: mask digits only.
    if (PHONE_KEY.test(key)) return value.replace(/\D/g, '').length >= 7 ? maskPhone(value) : value;
    if (ID_KEY.test(key)) return value;
    return value.replace(MOBILE, (mobile) => maskPhone(mobile));
  }
  if (Array.isArray(value)) return value.map((item) => maskRecord(item, key));
  if (value instanceof Set) return [...value].map((item) => maskRecord(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([inner, item]) => [inner, maskRecord(item, inner)]));
  }
  return value;
};
