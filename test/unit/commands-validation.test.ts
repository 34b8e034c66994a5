/** Request validation: every bad field is listed, real dates only, list query bounds. */
import { isLocalDateTime, validateCreate, validateListQuery, validateUpdate } from '../../shared/commands/validation';

describe('validateCreate', () => {
  it('accepts the documented body and trims the name', () => {
    const r = validateCreate({ departmentId: 5, dateTime: '2026-02-15T10:00:00', name: ' Jean Dupont ', workerId: 42, externalUserId: 'user-42' });
    expect(r).toEqual({ ok: true, value: { departmentId: 5, dateTime: '2026-02-15T10:00:00', name: 'Jean Dupont', workerId: 42, externalUserId: 'user-42' } });
  });

  it('refuses fields named after Object.prototype members instead of taking them for known rules', () => {
    const r = validateCreate(JSON.parse('{"departmentId":5,"dateTime":"2026-02-15T10:00:00","name":"Jean","constructor":1,"toString":"x","__proto__":{}}'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field).sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('lists EACH bad field with its problem', () => {
    const r = validateCreate({ departmentId: -1, dateTime: '2026-02-30T10:00:00', name: '', workerId: 1.5, externalUserId: 'x'.repeat(201), color: 'red' });
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.problems.map((p) => p.field);
    expect(fields).toEqual(['departmentId', 'dateTime', 'name', 'workerId', 'externalUserId', 'color']);
  });

  it('reports missing required fields and non-object bodies', () => {
    const r = validateCreate({});
    expect(r.ok ? [] : r.problems).toEqual([
      { field: 'departmentId', problem: 'is required' },
      { field: 'dateTime', problem: 'is required' },
      { field: 'name', problem: 'is required' },
    ]);
    expect(validateCreate([1]).ok).toBe(false);
    expect(validateCreate('x').ok).toBe(false);
  });

  it('refuses names over 200 characters, string ids and offsets', () => {
    const r = validateCreate({ departmentId: '5', dateTime: '2026-02-15T10:00:00Z', name: 'n'.repeat(201) });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['departmentId', 'dateTime', 'name']);
  });
});

describe('isLocalDateTime', () => {
  it.each([
    ['2026-02-15T10:00:00', true],
    ['2028-02-29T08:30:00', true],
    ['2026-02-29T08:30:00', false],
    ['2026-13-01T08:30:00', false],
    ['2026-02-15T24:00:00', false],
    ['2026-02-15T10:00', false],
    ['2026-02-15T10:00:00+01:00', false],
    ['2026-02-15 10:00:00', false],
  ])('%s → %s', (value, expected) => expect(isLocalDateTime(value)).toBe(expected));
});

describe('validateUpdate', () => {
  it('needs at least one known field and validates each', () => {
    expect(validateUpdate({}).ok).toBe(false);
    const r = validateUpdate({ dateTime: 'tomorrow', workerId: 0, departmentId: 5 });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['dateTime', 'workerId', 'departmentId']);
    expect(validateUpdate({ name: 'A B' })).toEqual({ ok: true, value: { name: 'A B' } });
  });
});

describe('validateListQuery', () => {
  it('defaults page 0 / size 20 and passes filters through', () => {
    expect(validateListQuery({ status: 'SCHEDULED', departmentId: '5', startDate: '2026-02-01' })).toEqual({
      ok: true,
      value: { page: 0, size: 20, status: 'SCHEDULED', departmentId: 5, externalUserId: undefined, startDate: '2026-02-01', endDate: undefined },
    });
  });
  it('lists every bad parameter (size > 100, negative page, bad date, unknown)', () => {
    const r = validateListQuery({ page: '-1', size: '101', endDate: '2026-02-31', sort: 'id' });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['page', 'size', 'endDate', 'sort']);
  });
});
