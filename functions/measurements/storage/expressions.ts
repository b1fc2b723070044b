/**
 * DynamoDB expressions composed from parts: each part carries its text and the placeholders it
 * uses, and a command's expressions are joined once, their names and values collected alongside
 * (`expressionInput`). A placeholder is the attribute's name (`#measuredAt`) and, for a value, the
 * name the caller gives it (`:expectedUpdatedAt`), so two parts meaning the same attribute share
 * its name, and two values under one placeholder are a mistake that throws.
 */
export interface ExpressionPart {
  readonly text: string;
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Attribute names this service uses are identifiers, which a placeholder may spell as they are. */
const identifier = /^[A-Za-z][A-Za-z0-9_]*$/;

function nameOf(attribute: string): { placeholder: string; names: Record<string, string> } {
  if (!identifier.test(attribute)) throw new Error(`No placeholder for the attribute name ${attribute}`);
  return { placeholder: `#${attribute}`, names: { [`#${attribute}`]: attribute } };
}

function valueOf(value: unknown, name: string): { placeholder: string; values: Record<string, unknown> } {
  if (!identifier.test(name)) throw new Error(`Not a value placeholder: ${name}`);
  return { placeholder: `:${name}`, values: { [`:${name}`]: value } };
}

export function attributeExists(attribute: string): ExpressionPart {
  const { placeholder, names } = nameOf(attribute);
  return { text: `attribute_exists(${placeholder})`, names, values: {} };
}

export function attributeNotExists(attribute: string): ExpressionPart {
  const { placeholder, names } = nameOf(attribute);
  return { text: `attribute_not_exists(${placeholder})`, names, values: {} };
}

type Comparator = '=' | '<>' | '>=' | '<=';

/** `attribute <op> :valueName`; the value's placeholder defaults to the attribute's name. */
export function compare(
  attribute: string,
  comparator: Comparator,
  value: unknown,
  valueName: string = attribute,
): ExpressionPart {
  const name = nameOf(attribute);
  const bound = valueOf(value, valueName);
  return {
    text: `${name.placeholder} ${comparator} ${bound.placeholder}`,
    names: name.names,
    values: bound.values,
  };
}

export const equals = (attribute: string, value: unknown, valueName?: string) =>
  compare(attribute, '=', value, valueName);
export const notEquals = (attribute: string, value: unknown, valueName?: string) =>
  compare(attribute, '<>', value, valueName);
export const atLeast = (attribute: string, value: unknown, valueName?: string) =>
  compare(attribute, '>=', value, valueName);
export const atMost = (attribute: string, value: unknown, valueName?: string) =>
  compare(attribute, '<=', value, valueName);

export function between(attribute: string, from: unknown, to: unknown): ExpressionPart {
  const name = nameOf(attribute);
  const low = valueOf(from, 'from');
  const high = valueOf(to, 'to');
  return {
    text: `${name.placeholder} BETWEEN ${low.placeholder} AND ${high.placeholder}`,
    names: name.names,
    values: { ...low.values, ...high.values },
  };
}

export function beginsWith(attribute: string, prefix: string, valueName = 'prefix'): ExpressionPart {
  const name = nameOf(attribute);
  const bound = valueOf(prefix, valueName);
  return {
    text: `begins_with(${name.placeholder}, ${bound.placeholder})`,
    names: name.names,
    values: bound.values,
  };
}

/** The parts that are there, joined with AND (an absent part is no clause). */
export function and(...parts: readonly (ExpressionPart | undefined)[]): ExpressionPart {
  const present = parts.filter((part): part is ExpressionPart => part !== undefined);
  return { text: present.map((part) => part.text).join(' AND '), ...collected(present) };
}

/** `SET #a = :a, … REMOVE #b, …`: each set attribute's value under its own name. */
export function update(
  set: Readonly<Record<string, unknown>>,
  remove: readonly string[] = [],
): ExpressionPart {
  const assignments = Object.entries(set).map(([attribute, value]) => compare(attribute, '=', value));
  const removals = remove.map(nameOf);
  const text =
    `SET ${assignments.map((part) => part.text).join(', ')}` +
    (removals.length > 0 ? ` REMOVE ${removals.map(({ placeholder }) => placeholder).join(', ')}` : '');
  const all = collected([...assignments, ...removals.map(({ names }) => ({ text: '', names, values: {} }))]);
  return { text, ...all };
}

/** A projection of these attributes. */
export function projection(attributes: readonly string[]): ExpressionPart {
  const named = attributes.map(nameOf);
  return {
    text: named.map(({ placeholder }) => placeholder).join(', '),
    ...collected(named.map(({ names }) => ({ text: '', names, values: {} }))),
  };
}

type ExpressionField =
  | 'ConditionExpression'
  | 'KeyConditionExpression'
  | 'FilterExpression'
  | 'UpdateExpression'
  | 'ProjectionExpression';

/** Each expression's text: always there for a part always given. */
type ExpressionTexts<Expressions> = {
  [F in keyof Expressions]: undefined extends Expressions[F] ? string | undefined : string;
};

/**
 * A command's expressions and the placeholders all of them use, collected once. DynamoDB refuses
 * an empty map of values, so none is sent when no part binds a value.
 */
export function expressionInput<
  Expressions extends { readonly [F in ExpressionField]?: ExpressionPart | undefined },
>(
  expressions: Expressions,
): ExpressionTexts<Expressions> & {
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const parts = Object.values(expressions).filter((part): part is ExpressionPart => part !== undefined);
  const { names, values } = collected(parts);
  const texts = Object.fromEntries(
    Object.entries(expressions).flatMap(([field, part]) =>
      part === undefined ? [] : [[field, (part as ExpressionPart).text]],
    ),
  ) as ExpressionTexts<Expressions>;
  return {
    ...texts,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

function collected(parts: readonly Pick<ExpressionPart, 'names' | 'values'>[]): {
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const part of parts) {
    Object.assign(names, part.names);
    for (const [placeholder, value] of Object.entries(part.values)) {
      if (placeholder in values && values[placeholder] !== value)
        throw new Error(`Two values for the placeholder ${placeholder}`);
      values[placeholder] = value;
    }
  }
  return { names, values };
}
