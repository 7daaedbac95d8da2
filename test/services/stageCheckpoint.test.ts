import { setTimeout as sleep } from 'timers/promises';
import { Checkpointer, type StageCheckpoint } from '../../src/engine/generation/stageCheckpoint';

/**
 * How a stage saves its answers as they stream out of the sandbox: answers that cost nothing at
 * most once an interval (each save writes them all), answers after paid LLM calls at once.
 */
function recorder() {
  const saves: Array<{ answers: number; incomplete?: string }> = [];
  const write = async (state: StageCheckpoint) => {
    saves.push({ answers: Object.keys(state.answers).length, incomplete: state.incomplete });
  };
  return { saves, write };
}

const answer = (i: number) => ({ prediction: i });

test('unpaid answers arriving one by one are saved at most once an interval, and all at close', async () => {
  const { saves, write } = recorder();
  const checkpoint = new Checkpointer({ snapshotKey: 'k', answers: {} }, write, () => 0, 10_000);
  for (let i = 0; i < 20; i++) {
    checkpoint.add(`t${i}`, answer(i));
    await sleep(5);
  }
  expect(saves).toEqual([{ answers: 1 }]);
  await checkpoint.close({ incomplete: 'cut short' });
  expect(saves).toEqual([{ answers: 1 }, { answers: 20, incomplete: 'cut short' }]);
});

test('answers left unsaved are saved when the interval has passed, without waiting for close', async () => {
  const { saves, write } = recorder();
  const checkpoint = new Checkpointer({ snapshotKey: 'k', answers: {} }, write, () => 0, 100);
  for (let i = 0; i < 3; i++) checkpoint.add(`t${i}`, answer(i));
  await sleep(300);
  expect(saves.map((s) => s.answers)).toEqual([1, 3]);
  await checkpoint.close({});
});

test('an answer after a paid LLM call is saved at once', async () => {
  const { saves, write } = recorder();
  let paid = 0;
  const checkpoint = new Checkpointer({ snapshotKey: 'k', answers: {} }, write, () => paid, 10_000);
  for (let i = 0; i < 10; i++) {
    paid += 1;
    checkpoint.add(`t${i}`, answer(i));
    await sleep(5);
  }
  expect(saves.map((s) => s.answers)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await checkpoint.close({});
});

test('failed writes neither stop the stage nor leave a save pending after close', async () => {
  let writes = 0;
  const checkpoint = new Checkpointer(
    { snapshotKey: 'k', answers: {} },
    async () => {
      writes += 1;
      throw new Error('store down');
    },
    () => 0,
    50,
  );
  checkpoint.add('a', answer(1));
  checkpoint.add('b', answer(2));
  await expect(checkpoint.close({})).resolves.toBeUndefined();
  const closedAt = writes;
  await sleep(150);
  expect(writes).toBe(closedAt);
});
