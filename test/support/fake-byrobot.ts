/** A fresh fake 百应 OpenAPI on loopback for each test of a file. */
import type { Credentials } from '../../functions/commons/byrobot/sign.js';
import { FakeByrobot } from '../../local/fake-byrobot.js';

/**
 * Starts a new fake 百应 before each test and stops it after. The returned object stands for the
 * current test's fake (it forwards to it): `const fake = useFakeByrobot(CREDENTIALS)`.
 */
export const useFakeByrobot = (credentials: Credentials): FakeByrobot => {
  let current: FakeByrobot | undefined;
  beforeEach(async () => {
    current = new FakeByrobot(credentials);
    await current.start();
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return new Proxy({} as FakeByrobot, {
    get: (_target, key) => {
      if (!current) throw new Error('the fake 百应 is used outside a test');
      const value = current[key as keyof FakeByrobot];
      return typeof value === 'function' ? value.bind(current) : value;
    },
    set: (_target, key, value) => {
      if (!current) throw new Error('the fake 百应 is used outside a test');
      (current as unknown as Record<string | symbol, unknown>)[key] = value;
      return true;
    },
  });
};
