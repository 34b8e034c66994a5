/**
 * Test support for the rate limiter's unit tests (not a test file): a discrete-event clock and an in-memory
 * stand-in for the DynamoDB document client that evaluates the expressions the limiter sends — SET with
 * `+`/`-`, REMOVE, ADD; conditions with AND/OR/NOT, parentheses, comparisons and attribute_(not_)exists;
 * ReturnValues ALL_NEW and ReturnValuesOnConditionCheckFailure ALL_OLD — with the item-level atomicity
 * DynamoDB gives, and an injectable latency on the virtual clock (before and after the item is applied).
 */

/**
 * Discrete-event clock. `sleep` parks the caller on a timer; `run` lets every promise chain progress
 * until all of them are parked (the microtask queue is empty), then jumps to the earliest timer
 * (ties in the order they were set) and wakes that one sleeper, and so on until the work settles.
 */
export class VirtualClock {
  private t: number;
  private seq = 0;
  private readonly timers: Array<{ at: number; seq: number; wake: () => void }> = [];

  constructor(start: number) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, wake });
    });

  /** `maxWakeups` turns a livelock (e.g. every release late, so every slot given up) into a failure, not a hang. */
  async run<T>(work: Promise<T>, maxWakeups = 1000): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let wakeups = 0; ; wakeups += 1) {
      // setImmediate runs only once every pending microtask (every promise continuation) has run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled) return work;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('virtual clock: the work is blocked on something other than sleep()');
      if (wakeups >= maxWakeups) throw new Error(`virtual clock: still running after ${maxWakeups} wake-ups`);
      this.t = next.at;
      next.wake();
    }
  }
}

type Item = Record<string, unknown>;
interface Command {
  constructor: { name: string };
  input: {
    Key?: { pk: string };
    UpdateExpression?: string;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
    ReturnValues?: string;
    ReturnValuesOnConditionCheckFailure?: string;
  };
}

export interface FakeDbOptions {
  readonly clock: VirtualClock;
  /** Virtual ms before the item is read/written, and after, for the n-th call (1-based) of this kind. */
  readonly latency?: (kind: 'get' | 'update', n: number) => { before: number; after: number };
}

/** Counts of what the limiter sent, for assertions on the number of requests. */
export interface FakeDbStats {
  gets: number;
  updates: number;
  conditionFailures: number;
}

export function fakeDynamo(options: FakeDbOptions) {
  const items = new Map<string, Item>();
  const stats: FakeDbStats = { gets: 0, updates: 0, conditionFailures: 0 };
  const wait = async (ms: number) => {
    if (ms > 0) await options.clock.sleep(ms);
  };
  return {
    items,
    stats,
    async send(cmd: Command): Promise<unknown> {
      const input = cmd.input;
      const pk = input.Key?.pk as string;
      if (cmd.constructor.name === 'GetCommand') {
        stats.gets += 1;
        const l = options.latency?.('get', stats.gets) ?? { before: 0, after: 0 };
        await wait(l.before);
        const item = items.get(pk);
        const copy = item ? { ...item } : undefined;
        await wait(l.after);
        return { Item: copy };
      }
      if (cmd.constructor.name !== 'UpdateCommand') throw new Error(`fake DynamoDB: ${cmd.constructor.name} is not supported`);
      stats.updates += 1;
      const l = options.latency?.('update', stats.updates) ?? { before: 0, after: 0 };
      await wait(l.before);
      const old = items.get(pk);
      const ctx = { names: input.ExpressionAttributeNames ?? {}, values: input.ExpressionAttributeValues ?? {} };
      if (input.ConditionExpression && !evaluateCondition(input.ConditionExpression, old ?? {}, ctx)) {
        stats.conditionFailures += 1;
        await wait(l.after);
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? { ...old } : undefined,
        });
      }
      const next = applyUpdate(input.UpdateExpression ?? '', { pk, ...(old ?? {}) }, ctx);
      items.set(pk, next);
      await wait(l.after);
      return { Attributes: input.ReturnValues === 'ALL_NEW' ? { ...next } : undefined };
    },
  };
}

interface Ctx {
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

function tokenize(expression: string): string[] {
  return expression.match(/[#:]?[A-Za-z_][A-Za-z0-9_]*|<>|<=|>=|[=<>(),+-]/g) ?? [];
}

function attributeName(token: string, ctx: Ctx): string {
  if (token.startsWith('#')) {
    const name = ctx.names[token];
    if (name === undefined) throw new Error(`fake DynamoDB: unknown name ${token}`);
    return name;
  }
  return token;
}

/** A value operand: `:v`, or an attribute (undefined when missing). */
function operand(token: string, item: Item, ctx: Ctx): unknown {
  if (token.startsWith(':')) {
    if (!(token in ctx.values)) throw new Error(`fake DynamoDB: unknown value ${token}`);
    return ctx.values[token];
  }
  return item[attributeName(token, ctx)];
}

function evaluateCondition(expression: string, item: Item, ctx: Ctx): boolean {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (expected !== undefined && t !== expected) throw new Error(`fake DynamoDB: expected ${expected}, got ${t} in ${expression}`);
    return t;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (peek()?.toUpperCase() === 'OR') {
      take();
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  const andExpr = (): boolean => {
    let v = factor();
    while (peek()?.toUpperCase() === 'AND') {
      take();
      const r = factor();
      v = v && r;
    }
    return v;
  };
  const factor = (): boolean => {
    const t = take();
    if (t.toUpperCase() === 'NOT') return !factor();
    if (t === '(') {
      const v = orExpr();
      take(')');
      return v;
    }
    if (t === 'attribute_exists' || t === 'attribute_not_exists') {
      take('(');
      const name = attributeName(take(), ctx);
      take(')');
      return (item[name] !== undefined) === (t === 'attribute_exists');
    }
    const left = operand(t, item, ctx);
    const op = take();
    const right = operand(take(), item, ctx);
    if (left === undefined || right === undefined) return false;
    const [a, b] = typeof left === 'number' || typeof right === 'number' ? [Number(left), Number(right)] : [left as string, right as string];
    switch (op) {
      case '=':
        return a === b;
      case '<>':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      default:
        throw new Error(`fake DynamoDB: unknown comparator ${op}`);
    }
  };
  const result = orExpr();
  if (i !== tokens.length) throw new Error(`fake DynamoDB: trailing tokens in ${expression}`);
  return result;
}

/** DynamoDB's decimals are exact; the limiter's values are ms with at most 3 decimals (µs), so rounding to the µs is exact here. */
const round = (n: number) => Math.round(n * 1000) / 1000;

function applyUpdate(expression: string, old: Item, ctx: Ctx): Item {
  const tokens = tokenize(expression);
  const next: Item = { ...old };
  let i = 0;
  let clause = '';
  while (i < tokens.length) {
    const t = tokens[i];
    if (['SET', 'REMOVE', 'ADD'].includes(t.toUpperCase())) {
      clause = t.toUpperCase();
      i += 1;
      continue;
    }
    if (t === ',') {
      i += 1;
      continue;
    }
    const target = attributeName(tokens[i++], ctx);
    if (clause === 'REMOVE') {
      delete next[target];
    } else if (clause === 'ADD') {
      const v = Number(operand(tokens[i++], old, ctx));
      next[target] = round(Number(old[target] ?? 0) + v);
    } else if (clause === 'SET') {
      if (tokens[i++] !== '=') throw new Error(`fake DynamoDB: expected = in ${expression}`);
      let v = operand(tokens[i++], old, ctx);
      if (tokens[i] === '+' || tokens[i] === '-') {
        const sign = tokens[i++] === '+' ? 1 : -1;
        const r = operand(tokens[i++], old, ctx);
        if (v === undefined || r === undefined) throw new Error(`fake DynamoDB: arithmetic on a missing attribute in ${expression}`);
        v = round(Number(v) + sign * Number(r));
      }
      if (v === undefined) throw new Error(`fake DynamoDB: SET to a missing attribute in ${expression}`);
      next[target] = v;
    } else {
      throw new Error(`fake DynamoDB: unsupported update ${expression}`);
    }
  }
  return next;
}
