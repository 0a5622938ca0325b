import { maskRecord } from '../../../local/cli/mask-record.js';

test('phones are masked by field name and inside text; ids, UUIDs and line names are left alone', () => {
  expect(
    maskRecord({
      customerTelephone: '13733105333',
      callerPhone: '测试线路',
      recordingUrl: 'https://oss/RobotPhoneCommunicate/1540384412/20190112-161011_13733105333.wav',
      recordArchive: 'archive/2026/11/26/03/70c3b973-2d76-459b-b31e-c13842279897.jsonl.gz#1',
      callId: '13733105333',
      transcript: [{ content: '我的电话是13912345678，谢谢' }],
    }),
  ).toEqual({
    customerTelephone: '137****5333',
    callerPhone: '测试线路',
    recordingUrl: 'https://oss/RobotPhoneCommunicate/1540384412/20190112-161011_137****5333.wav',
    recordArchive: 'archive/2026/11/26/03/70c3b973-2d76-459b-b31e-c13842279897.jsonl.gz#1',
    callId: '13733105333',
    transcript: [{ content: '我的电话是139****5678，谢谢' }],
  });
});
