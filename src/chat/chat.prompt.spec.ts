import { describeMachines, PROMPT_MACHINE_LIST_LIMIT } from './chat.prompt';

const machine = (i: number, type = 'Press') => ({
  name: `M-${String(i).padStart(4, '0')}`,
  type,
  idealCycleTimeSeconds: 30,
});

describe(describeMachines.name, () => {
  it('lists every machine of a small plant with its type and cycle time', () => {
    expect(describeMachines([machine(1), machine(2, 'Lathe')])).toBe(
      'M-0001 (Press, ideal cycle 30 s); M-0002 (Lathe, ideal cycle 30 s)',
    );
  });

  it('summarises a plant of 1,000 machines in a few hundred characters and points to list_machines', () => {
    const plant = Array.from({ length: 1000 }, (_, i) => machine(i, i % 2 ? 'Press' : 'Lathe'));
    const text = describeMachines(plant);
    expect(text.length).toBeLessThan(300);
    expect(text).toMatch(/^500 Lathe, 500 Press; for example M-0000, M-0001/);
    expect(text).toMatch(/list_machines/);
    expect(describeMachines(plant.slice(0, PROMPT_MACHINE_LIST_LIMIT))).not.toMatch(
      /list_machines/,
    );
  });
});
