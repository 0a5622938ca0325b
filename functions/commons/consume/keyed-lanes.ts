/**
 * Runs tasks so that two tasks sharing a key never overlap, while tasks with different keys run
 * concurrently. A task waits for every earlier task that shares any of its keys.
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const before = Promise.all(keys.map((key) => this.tails.get(key)));
    const result = before.then(task);
    // The next task in a lane waits for this one to settle, whether it succeeded or not.
    const settled = result.catch(() => undefined);
    for (const key of keys) this.tails.set(key, settled);
    return result;
  }
}
