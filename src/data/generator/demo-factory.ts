import { SeverityName } from '../../common/severity';
import { MachineSpec, ShiftSpec } from '../dataset';

/** The original system's factory: the first four machines of every demo dataset, in this order. */
export const MACHINE_TEMPLATES = [
  { prefix: 'CNC', type: 'CNC Machining Center', idealCycleTimeSeconds: 45 },
  { prefix: 'Assembly', type: 'Assembly Station', idealCycleTimeSeconds: 120 },
  { prefix: 'Packaging', type: 'Automated Packaging Line', idealCycleTimeSeconds: 30 },
  { prefix: 'Testing', type: 'Quality Testing Station', idealCycleTimeSeconds: 90 },
] as const;

export const DEMO_SHIFTS: readonly ShiftSpec[] = [
  { name: 'Day', startHour: 6, endHour: 14 },
  { name: 'Night', startHour: 14, endHour: 22 },
];

export const DEFECT_TYPES: Record<string, { severity: SeverityName; descriptions: string[] }> = {
  dimensional: { severity: 'High', descriptions: ['Out of tolerance', 'Bore diameter oversize'] },
  surface: { severity: 'Medium', descriptions: ['Surface scratches', 'Burr on machined edge'] },
  assembly: { severity: 'High', descriptions: ['Misaligned component', 'Missing fastener'] },
  material: { severity: 'Low', descriptions: ['Material inclusion', 'Wrong alloy batch'] },
};

/** Which defects each kind of machine produces, by template index. */
export const DEFECTS_BY_TEMPLATE: readonly (readonly string[])[] = [
  ['dimensional', 'surface', 'material'],
  ['assembly', 'dimensional'],
  ['surface', 'material'],
  ['dimensional', 'assembly', 'surface'],
];

export const DOWNTIME_DESCRIPTIONS: Record<string, string[]> = {
  mechanical: ['Spindle bearing overheating', 'Hydraulic pressure loss', 'Conveyor jam'],
  electrical: ['Servo drive fault', 'PLC communication error', 'Proximity sensor failure'],
  material: ['Material shortage', 'Waiting for raw stock'],
  changeover: ['Product changeover', 'Fixture change for new batch'],
  maintenance: ['Scheduled preventive maintenance', 'Lubrication and inspection'],
};

/** Unplanned downtime reasons and how often each occurs. */
export const UNPLANNED_REASONS = [
  ['mechanical', 0.35],
  ['electrical', 0.2],
  ['material', 0.2],
  ['changeover', 0.25],
] as const;

/** Machine n (0-based): CNC-001, Assembly-001, Packaging-001, Testing-001, CNC-002, ... */
export function demoMachine(index: number): MachineSpec {
  const template = MACHINE_TEMPLATES[index % MACHINE_TEMPLATES.length];
  const number = Math.floor(index / MACHINE_TEMPLATES.length) + 1;
  return {
    name: `${template.prefix}-${String(number).padStart(3, '0')}`,
    type: template.type,
    idealCycleTimeSeconds: template.idealCycleTimeSeconds,
  };
}
