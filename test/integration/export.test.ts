/**
 * Exports on DynamoDB Local: a Beijing day with 1,000 simulated calls exports as 1,000 CSV rows
 * that a CSV reader (and Excel: UTF-8 with a BOM, CRLF) opens correctly — Chinese text intact,
 * phones masked unless asked, formulas defused — read through the index day by day, never a scan.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, csvLines, daysBetween, exportCalls } from '../../local/cli/export.js';
import type { Targets } from '../../local/cli/targets.js';
import { generateCallbacks } from '../../local/simulator/generate.js';
import { Random } from '../../local/simulator/random.js';
import { deliverThrough, localTargets, useLocalEnv } from '../support/local-env.js';
import { variantOf } from '../support/vendor.js';

const env = useLocalEnv({ prefix: 'export' });
const dir = mkdtempSync(join(tmpdir(), 'export-'));
const DAY = '2026-11-20';
// Calls start up to 6 h before Beijing noon: all on DAY.
const NOON = Date.parse(`${DAY}T12:00:00+08:00`);

const targets = (): Targets => localTargets(env);

let calls: Map<string, { phone: string }>;

beforeAll(async () => {
  const generated = generateCallbacks(new Random(42), {
    count: 1300,
    companyId: '555',
    idBase: 610_000_000,
    around: NOON,
  });
  const callBodies = generated
    .filter((item) => item.kind === 'outbound' || item.kind === 'inbound')
    .slice(0, 1000);
  expect(callBodies).toHaveLength(1000);
  calls = new Map(
    callBodies.map((item) => {
      const scene = (item.data as { sceneInstance?: { customerTelephone?: string } }).sceneInstance;
      return [item.key, { phone: scene?.customerTelephone ?? '' }];
    }),
  );
  // One more on the next day, and one whose customer name looks like a spreadsheet formula.
  const extra = [
    variantOf('outbound', (inner) => {
      const scene = inner.sceneInstance as Record<string, unknown>;
      scene.callInstanceId = 620_000_001;
      scene.companyId = 555;
      scene.startTime = '2026-11-21 09:00:00';
    }),
  ];
  const delivered = await deliverThrough(env, [...callBodies, ...extra.map((body) => ({ body }))]);
  expect(delivered.failures).toEqual([]);
}, 240_000);

test('a day with 1,000 calls exports 1,000 CSV rows that open correctly', async () => {
  const out = join(dir, 'day.csv');
  const result = await exportCalls(targets(), {
    company: '555',
    from: DAY,
    to: DAY,
    format: 'csv',
    out,
    unmask: false,
  });
  expect(result).toEqual({ calls: 1000, days: 1, file: out });
  const bytes = readFileSync(out);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: Excel reads the Chinese right
  expect(bytes.toString('utf8')).toContain('\r\n');
  const rows = parse(bytes, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
  expect(rows).toHaveLength(1000);
  expect(Object.keys(rows[0] ?? {})).toEqual([...CSV_COLUMNS]);
  // Every call exactly once, each with its own facts.
  const keys = rows.map((row) => `${row.direction === 'inbound' ? 'in' : 'out'}#${row.callId}`);
  expect(new Set(keys)).toEqual(new Set(calls.keys()));
  for (const row of rows) {
    expect(row.companyId).toBe('555');
    expect(row.startTime?.startsWith(DAY)).toBe(true);
    expect(row.deliveries).toBe('1');
    expect(row.sources).toBe('callback');
    expect(row.platform).toBe('classic');
    const phone = calls.get(`${row.direction === 'inbound' ? 'in' : 'out'}#${row.callId}`)?.phone ?? '';
    if (phone) expect(row.customerTelephone).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
  }
  // Chinese text intact: 百应's wording of the finish status, and the intent values.
  expect(
    rows.filter((row) => row.finishStatus === 'ANSWERED').every((row) => row.finishStatusZh === '已接通'),
  ).toBe(true);
  expect(rows.some((row) => /[\u4e00-\u9fff]/.test(row.intentValue ?? ''))).toBe(true);
  expect(rows.filter((row) => row.intentLevel).length).toBeGreaterThan(0);
});

test('--unmask writes the phones in full; jsonl writes whole items, one per line', async () => {
  const csv = join(dir, 'unmasked.csv');
  await exportCalls(targets(), { company: '555', from: DAY, to: DAY, format: 'csv', out: csv, unmask: true });
  const rows = parse(readFileSync(csv), { bom: true, columns: true }) as Record<string, string>[];
  const [key, { phone }] = [...calls.entries()].find(([, call]) => call.phone) as [string, { phone: string }];
  expect(rows.find((row) => key.endsWith(`#${row.callId}`))?.customerTelephone).toBe(phone);

  const jsonl = join(dir, 'days.jsonl');
  const result = await exportCalls(targets(), {
    company: '555',
    from: DAY,
    to: '2026-11-21',
    format: 'jsonl',
    out: jsonl,
    unmask: false,
  });
  expect(result).toMatchObject({ calls: 1001, days: 2 });
  const lines = readFileSync(jsonl, 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(1001);
  const last = JSON.parse(lines.at(-1) as string);
  expect(last).toMatchObject({ pk: 'out#620000001', record: { callId: '620000001' } });
  expect(lines.join('\n')).not.toMatch(/"1[3-9]\d{9}"/);
});

test('days: both ends included; a reversed or malformed range is refused', () => {
  expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
    '2026-02-27',
    '2026-02-28',
    '2026-03-01',
    '2026-03-02',
  ]);
  expect(() => daysBetween('2026-03-02', '2026-02-27')).toThrow('before');
  expect(() => daysBetween('2026/03/02', '2026-03-02')).toThrow('yyyy-MM-dd');
});

test('a cell that Excel would run as a formula is written as text; numbers stay numbers', () => {
  const line = csvLines(
    [
      {
        pk: 'out#1',
        callId: '1',
        intent: { value: '=HYPERLINK("http://x","y")', level: '-1', source: 'manual' },
        deliveries: 2,
      },
    ],
    false,
  );
  const [row] = parse(line, { columns: [...CSV_COLUMNS] }) as Record<string, string>[];
  expect(row?.intentValue).toBe(`'=HYPERLINK("http://x","y")`);
  expect(row?.intentLevel).toBe('-1');
  expect(row?.deliveries).toBe('2');
});
