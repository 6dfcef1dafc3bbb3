/**
 * Builds DynamoDB update expressions with every attribute name and value behind a placeholder,
 * so no attribute ever collides with DynamoDB's long list of reserved words (`source`,
 * `status`, `name`, `raw`, `sample`...).
 *
 * @example
 * const u = buildUpdate({ set: { status: 'open' }, setIfMissing: { openedAt: now }, add: { occurrences: 1 } });
 * new UpdateCommand({ TableName, Key, ...u });
 */
export interface UpdateSpec {
  /** `SET a = :v` */
  readonly set?: Readonly<Record<string, unknown>>;
  /** `SET a = if_not_exists(a, :v)` */
  readonly setIfMissing?: Readonly<Record<string, unknown>>;
  /** `ADD a :v` (numbers and sets) */
  readonly add?: Readonly<Record<string, unknown>>;
  /** `REMOVE a` */
  readonly remove?: readonly string[];
}

export interface BuiltUpdate {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Placeholders shared by an update and its condition. */
export class Placeholders {
  public readonly names: Record<string, string> = {};
  public readonly values: Record<string, unknown> = {};
  private readonly nameIds = new Map<string, string>();
  private valueCount = 0;

  public name(attribute: string): string {
    let id = this.nameIds.get(attribute);
    if (id === undefined) {
      id = `#n${this.nameIds.size}`;
      this.nameIds.set(attribute, id);
      this.names[id] = attribute;
    }
    return id;
  }

  public value(value: unknown): string {
    const id = `:v${this.valueCount}`;
    this.valueCount += 1;
    this.values[id] = value;
    return id;
  }
}

/** Renders an {@link UpdateSpec}; pass `placeholders` to share them with a condition expression. */
export function buildUpdate(spec: UpdateSpec, placeholders = new Placeholders()): BuiltUpdate {
  const p = placeholders;
  const sets: string[] = [];
  for (const [attr, value] of Object.entries(spec.set ?? {})) {
    if (value !== undefined) sets.push(`${p.name(attr)} = ${p.value(value)}`);
  }
  for (const [attr, value] of Object.entries(spec.setIfMissing ?? {})) {
    if (value !== undefined) {
      const n = p.name(attr);
      sets.push(`${n} = if_not_exists(${n}, ${p.value(value)})`);
    }
  }
  const adds = Object.entries(spec.add ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([attr, value]) => `${p.name(attr)} ${p.value(value)}`);
  const removes = (spec.remove ?? []).map((attr) => p.name(attr));
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
  ].filter((c) => c !== '');
  if (clauses.length === 0) throw new Error('an update needs at least one attribute');
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: p.names,
    ...(Object.keys(p.values).length > 0 ? { ExpressionAttributeValues: p.values } : {}),
  };
}

/**
 * A condition expression written with `{name}` for attribute names and `:{key}` for values
 * from `values`, rendered with the same placeholders as an update.
 *
 * @example
 * condition('attribute_not_exists({pk}) OR {findingTime} <= :{t}', { t: 5 }, p)
 */
export function condition(
  template: string,
  values: Readonly<Record<string, unknown>>,
  p: Placeholders,
): string {
  return template
    .replace(/:\{(\w+)\}/g, (_, key: string) => {
      if (!(key in values)) throw new Error(`condition value ${key} is missing`);
      return p.value(values[key]);
    })
    .replace(/\{(\w+)\}/g, (_, attr: string) => p.name(attr));
}
