import {
  beijingIsoFromEpochMs,
  beijingIsoFromWallClock,
  isoFromGmtText,
} from '../../../functions/commons/contract/time.js';

describe('Beijing time', () => {
  test('wall clock → ISO with +08:00, same instant as the platform computes', () => {
    const iso = beijingIsoFromWallClock('2019-01-12 16:09:32');
    expect(iso).toBe('2019-01-12T16:09:32+08:00');
    expect(Date.parse(iso as string)).toBe(Date.UTC(2019, 0, 12, 8, 9, 32));
  });

  test('crosses midnight and year boundaries correctly', () => {
    expect(beijingIsoFromEpochMs(Date.UTC(2019, 11, 31, 16, 0, 0))).toBe('2020-01-01T00:00:00+08:00');
    expect(beijingIsoFromEpochMs(0)).toBe('1970-01-01T08:00:00+08:00');
    expect(beijingIsoFromEpochMs(1500)).toBe('1970-01-01T08:00:01.500+08:00');
  });

  test.each([
    '2019-02-29 00:00:00',
    '2019-13-01 00:00:00',
    '2019-01-01 24:00:00',
    '2019-01-01 23:60:00',
    '2019-1-1 1:00:00',
  ])('rejects %s', (text) => {
    expect(beijingIsoFromWallClock(text)).toBeNull();
  });

  test('accepts leap days and fractional seconds', () => {
    expect(beijingIsoFromWallClock('2020-02-29 12:00:00')).toBe('2020-02-29T12:00:00+08:00');
    expect(beijingIsoFromWallClock('2020-02-29T12:00:00.25')).toBe('2020-02-29T12:00:00.250+08:00');
  });

  test.each([
    ['Thu, 24 Jan 2019 07:28:09 GMT', '2019-01-24T15:28:09+08:00'],
    ['Thu Oct 16 07:13:48 GMT 2014', '2014-10-16T15:13:48+08:00'],
    ['Thu Oct 16 07:13:48 UTC 2014', '2014-10-16T15:13:48+08:00'],
    ['Thu Oct 16 15:13:48 CST 2014', '2014-10-16T15:13:48+08:00'],
    ['2019-01-24T07:28:09Z', '2019-01-24T15:28:09+08:00'],
    ['2019-01-24T15:28:09+08:00', '2019-01-24T15:28:09+08:00'],
    ['Thu, 24 Foo 2019 07:28:09 GMT', null],
    ['yesterday', null],
  ])('zoned text %s → %s', (text, expected) => {
    expect(isoFromGmtText(text)).toBe(expected);
  });
});
