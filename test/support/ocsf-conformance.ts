/**
 * OCSF 1.6.0 conformance validator for tests, built from the official schema source
 * (`../shared/ocsf-schema-1.6.0` next to the repository).
 *
 * The schema is compiled the way the OCSF server compiles it (`ocsf-server`, `Schema.Cache`,
 * `Schema.JsonReader`, `Schema.Validator2`):
 * - `$include` of a profile file merges the profile's attributes *under* the item's own ones and
 *   tags them with `profile: <name>`; an item can clear the tag with `"profile": null`;
 * - `extends` deep-merges the parent's attributes under the child's (`null` removes one), takes
 *   the child's top-level keys and concatenates `profiles`;
 * - each attribute is the dictionary entry deep-merged with the class/object definition, so a
 *   class-level `enum` overrides the dictionary's captions key by key and adds values;
 * - class uid = category uid * 1000 + class `uid`; `class_uid` and `category_uid` only accept
 *   the class's own values; `type_uid` = `class_uid` * 100 + `activity_id`;
 * - every `timestamp_t` attribute gets a `<name>_dt` sibling (`datetime_t`) that belongs to the
 *   synthetic `datetime` profile;
 * - the observable `type_id` enum is completed from every `observable` annotation.
 *
 * Attributes tagged with a profile exist only when the event lists that profile in
 * `metadata.profiles` (as in the official validator); only then are they required.
 *
 * Violations are strings prefixed with their JSON path (`finding_info.uid: ...`, `$` for the
 * event itself); warnings (deprecations, a `metadata.version` other than 1.6.0) start with
 * `warning: `. `violationsOnly` drops the warnings.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Folder holding the official OCSF 1.6.0 schema source (`events/`, `objects/`, `dictionary.json`, ...). */
export const OCSF_SCHEMA_DIR: string = path.resolve(repoRoot, '..', 'shared', 'ocsf-schema-1.6.0');

/** False when the schema source is missing: use `describe.skipIf(!ocsfSchemaAvailable)`. */
export const ocsfSchemaAvailable: boolean =
  existsSync(path.join(OCSF_SCHEMA_DIR, 'dictionary.json')) &&
  existsSync(path.join(OCSF_SCHEMA_DIR, 'categories.json')) &&
  existsSync(path.join(OCSF_SCHEMA_DIR, 'events')) &&
  existsSync(path.join(OCSF_SCHEMA_DIR, 'objects'));

const WARNING_PREFIX = 'warning: ';

/** Drops the `warning: ` entries of a `validateOcsf` result, keeping the conformance violations. */
export function violationsOnly(list: readonly string[]): string[] {
  return list.filter((entry) => !entry.startsWith(WARNING_PREFIX));
}

// ---------------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Rec {
  return isRecord(value) ? value : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

function readJson(file: string): Rec {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRecord(parsed)) throw new Error(`OCSF schema file ${file} is not a JSON object`);
  return parsed;
}

function jsonFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...jsonFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.json')) files.push(full);
  }
  return files.sort();
}

/** `Schema.Utils.deep_merge`: maps merge recursively, anything else (null included) is replaced by the right side. */
function deepMerge(left: Rec, right: Rec): Rec {
  const merged: Rec = { ...left };
  for (const [key, rightValue] of Object.entries(right)) {
    const leftValue = merged[key];
    if (key in merged && isRecord(leftValue) && isRecord(rightValue)) {
      if (Object.keys(leftValue).length === 0) merged[key] = rightValue;
      else if (Object.keys(rightValue).length === 0) merged[key] = leftValue;
      else merged[key] = deepMerge(leftValue, rightValue);
    } else {
      merged[key] = rightValue;
    }
  }
  return merged;
}

function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function stripHtml(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function deprecationOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const message = asString(value.message);
  const since = value.since;
  const sinceText = typeof since === 'string' || typeof since === 'number' ? ` since ${since}` : '';
  return `deprecated${sinceText}${message ? `: ${stripHtml(message)}` : ''}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function displayPath(itemPath: string): string {
  return itemPath === '' ? '$' : itemPath;
}

// ---------------------------------------------------------------------------------------------
// Compiled schema
// ---------------------------------------------------------------------------------------------

type BaseType = 'string_t' | 'integer_t' | 'long_t' | 'float_t' | 'boolean_t' | 'json_t';

interface ScalarType {
  name: string;
  base: BaseType;
  /** `name (base)` for subtypes, `name` otherwise. */
  label: string;
  regex: RegExp | null;
  maxLen: number | null;
  range: readonly [number, number] | null;
  values: readonly unknown[] | null;
  isIp: boolean;
}

interface EnumEntry {
  caption: string | null;
  deprecated: string | null;
}

interface AttrSpec {
  name: string;
  /** Dictionary type name (`string_t`, `timestamp_t`, ...) or object name (`cloud`, ...). */
  typeName: string;
  scalar: ScalarType | null;
  objectName: string | null;
  isArray: boolean;
  required: boolean;
  profile: string | null;
  enumValues: ReadonlyMap<string, EnumEntry> | null;
  sibling: string | null;
  deprecated: string | null;
}

interface Constraint {
  kind: string;
  keys: string[];
}

interface ItemSpec {
  kind: 'class' | 'object';
  name: string;
  caption: string;
  attrs: ReadonlyMap<string, AttrSpec>;
  required: readonly AttrSpec[];
  /** An object without attributes (`object`, used by `unmapped`) accepts any key. */
  open: boolean;
  constraints: readonly Constraint[];
  deprecated: string | null;
  /** Profiles named by the item itself (`profiles`, included profiles, `datetime`). */
  profiles: ReadonlySet<string>;
}

interface ClassSpec extends ItemSpec {
  uid: number;
  /** `type_name` caption per `activity_id` key, e.g. `Detection Finding: Create`. */
  typeNames: ReadonlyMap<string, string>;
}

interface Raw {
  name: string;
  data: Rec;
}

class OcsfSchema {
  readonly version: string;
  private readonly dictionary: Rec;
  private readonly scalarTypes = new Map<string, ScalarType>();
  private readonly categoryUids = new Map<string, number>();
  private readonly categoryCaptions = new Map<string, string>();
  private readonly profileNames = new Set<string>();
  private readonly includeCache = new Map<string, { attributes: Rec; profile: string | null }>();
  private readonly rawClasses = new Map<string, Rec>();
  private readonly rawObjects = new Map<string, Rec>();
  private readonly resolvedClasses = new Map<string, Rec>();
  private readonly resolvedObjects = new Map<string, Rec>();
  private readonly classNameByUid = new Map<number, string>();
  private readonly classSpecs = new Map<number, ClassSpec>();
  private readonly objectSpecs = new Map<string, ItemSpec | null>();
  private readonly supportedProfiles = new Map<number, ReadonlySet<string>>();
  private observableTypes: Map<string, EnumEntry> | null = null;

  constructor(private readonly dir: string) {
    this.version = asString(readJson(path.join(dir, 'version.json')).version) ?? 'unknown';
    this.dictionary = readJson(path.join(dir, 'dictionary.json'));
    this.loadTypes();
    for (const [name, category] of Object.entries(
      asRecord(readJson(path.join(dir, 'categories.json')).attributes),
    )) {
      const { uid, caption } = asRecord(category);
      if (typeof uid === 'number') this.categoryUids.set(name, uid);
      if (typeof caption === 'string') this.categoryCaptions.set(name, caption);
    }
    const profilesDir = path.join(dir, 'profiles');
    if (existsSync(profilesDir)) {
      for (const file of jsonFiles(profilesDir)) {
        const name = asString(readJson(file).name);
        if (name) this.profileNames.add(name);
      }
    }
    this.profileNames.add('datetime');
    for (const file of jsonFiles(path.join(dir, 'events'))) {
      const raw = this.readItem(file);
      this.rawClasses.set(raw.name, raw.data);
    }
    for (const file of jsonFiles(path.join(dir, 'objects'))) {
      const raw = this.readItem(file);
      this.rawObjects.set(raw.name, raw.data);
    }
    for (const name of this.rawClasses.keys()) {
      const cls = this.resolve(this.rawClasses, this.resolvedClasses, name, []);
      const ownUid = cls.uid;
      if (typeof ownUid !== 'number' && name !== 'base_event') continue;
      this.classNameByUid.set(this.classUidOf(cls), name);
    }
  }

  isKnownProfile(name: string): boolean {
    return this.profileNames.has(name);
  }

  classByUid(uid: number): ClassSpec | null {
    const cached = this.classSpecs.get(uid);
    if (cached) return cached;
    const name = this.classNameByUid.get(uid);
    if (name === undefined) return null;
    const spec = this.compileClass(name, uid);
    this.classSpecs.set(uid, spec);
    return spec;
  }

  object(name: string): ItemSpec | null {
    const cached = this.objectSpecs.get(name);
    if (cached !== undefined) return cached;
    const spec = this.rawObjects.has(name) ? this.compileObject(name) : null;
    this.objectSpecs.set(name, spec);
    return spec;
  }

  /** Profiles of the class and of every object reachable from it (as the server links them). */
  profilesSupportedBy(cls: ClassSpec): ReadonlySet<string> {
    const cached = this.supportedProfiles.get(cls.uid);
    if (cached) return cached;
    const profiles = new Set(cls.profiles);
    const seen = new Set<string>();
    const pending: ItemSpec[] = [cls];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      for (const profile of item.profiles) profiles.add(profile);
      for (const attr of item.attrs.values()) {
        if (attr.objectName === null || seen.has(attr.objectName)) continue;
        seen.add(attr.objectName);
        const object = this.object(attr.objectName);
        if (object) pending.push(object);
      }
    }
    this.supportedProfiles.set(cls.uid, profiles);
    return profiles;
  }

  // --- loading -------------------------------------------------------------------------------

  private loadTypes(): void {
    const types = asRecord(asRecord(this.dictionary.types).attributes);
    const toBase = (name: string | undefined): BaseType | null => {
      switch (name) {
        case 'string_t':
        case 'integer_t':
        case 'long_t':
        case 'float_t':
        case 'boolean_t':
        case 'json_t':
          return name;
        default:
          return null;
      }
    };
    for (const [name, value] of Object.entries(types)) {
      const def = asRecord(value);
      const superName = asString(def.type);
      const superDef = superName ? asRecord(types[superName]) : {};
      const base = toBase(superName ?? name);
      const label = superName ? `${name} (${superName})` : name;
      // A primitive this validator does not know (none in 1.6.0) accepts any value.
      this.scalarTypes.set(name, this.scalar(name, base ?? 'json_t', label, def, superDef));
    }
  }

  private scalar(name: string, base: BaseType, label: string, def: Rec, superDef: Rec): ScalarType {
    const pick = (key: string): unknown => (def[key] !== undefined ? def[key] : superDef[key]);
    const regexSource = asString(pick('regex'));
    let regex: RegExp | null = null;
    if (regexSource !== undefined && name !== 'ip_t') {
      try {
        regex = new RegExp(regexSource);
      } catch {
        regex = null;
      }
    }
    const maxLen = pick('max_len');
    const range = pick('range');
    const values = pick('values');
    return {
      name,
      base,
      label,
      regex,
      maxLen: typeof maxLen === 'number' ? maxLen : null,
      range:
        Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number'
          ? [range[0], range[1]]
          : null,
      values: Array.isArray(values) ? values : null,
      isIp: name === 'ip_t',
    };
  }

  /** Reads a class or object file and resolves its `$include`s (`Schema.JsonReader`). */
  private readItem(file: string): Raw {
    const data = readJson(file);
    const name = asString(data.name) ?? path.basename(file, '.json');
    const attributes = asRecord(data.attributes);
    const includes = asStrings(attributes.$include);
    let merged: Rec = { ...attributes };
    delete merged.$include;
    const includedProfiles: string[] = [];
    for (const include of includes) {
      const included = this.readInclude(include);
      merged = deepMerge(included.attributes, merged);
      if (included.profile) includedProfiles.push(included.profile);
    }
    const profiles = uniq([...asStrings(data.profiles), ...includedProfiles]);
    return { name, data: { ...data, attributes: merged, profiles } };
  }

  private readInclude(include: string): { attributes: Rec; profile: string | null } {
    const cached = this.includeCache.get(include);
    if (cached) return cached;
    const data = readJson(path.join(this.dir, include));
    const profile = data.meta === 'profile' ? (asString(data.name) ?? null) : null;
    const annotations = asRecord(data.annotations);
    const attributes: Rec = {};
    for (const [key, value] of Object.entries(asRecord(data.attributes))) {
      if (key === '$include') continue;
      const attr = asRecord(value);
      attributes[key] = deepMerge(annotations, profile ? { ...attr, profile } : attr);
    }
    const result = { attributes, profile };
    this.includeCache.set(include, result);
    return result;
  }

  /** `resolve_extends`: parent attributes merged under the child's, child top-level keys win. */
  private resolve(raw: Map<string, Rec>, resolved: Map<string, Rec>, name: string, chain: string[]): Rec {
    const done = resolved.get(name);
    if (done) return done;
    const item = raw.get(name);
    if (!item) throw new Error(`OCSF schema: unknown item "${name}" (extended by ${chain.join(' <- ')})`);
    const parentName = asString(item.extends);
    if (!parentName || chain.includes(name)) {
      resolved.set(name, item);
      return item;
    }
    const parent = this.resolve(raw, resolved, parentName, [...chain, name]);
    const attributes: Rec = {};
    for (const [key, value] of Object.entries(
      deepMerge(asRecord(parent.attributes), asRecord(item.attributes)),
    )) {
      if (value !== null && value !== undefined) attributes[key] = value;
    }
    const merged: Rec = {
      ...parent,
      ...item,
      profiles: uniq([...asStrings(parent.profiles), ...asStrings(item.profiles)]),
      attributes,
    };
    delete merged.extends;
    resolved.set(name, merged);
    return merged;
  }

  private classUidOf(cls: Rec): number {
    const category = asString(cls.category);
    const categoryUid = (category ? this.categoryUids.get(category) : undefined) ?? 0;
    const uid = typeof cls.uid === 'number' ? cls.uid : 0;
    return categoryUid * 1000 + uid;
  }

  // --- compiling -----------------------------------------------------------------------------

  private compileClass(name: string, uid: number): ClassSpec {
    const raw = this.resolve(this.rawClasses, this.resolvedClasses, name, []);
    const caption = asString(raw.caption) ?? name;
    const category = asString(raw.category);
    const categoryUid = category ? this.categoryUids.get(category) : undefined;
    const attributes = { ...asRecord(raw.attributes) };
    const categoryCaption = category ? this.categoryCaptions.get(category) : undefined;
    attributes.class_uid = {
      ...asRecord(attributes.class_uid),
      enum: { [String(uid)]: { caption } },
    };
    attributes.category_uid = {
      ...asRecord(attributes.category_uid),
      enum: { [String(categoryUid ?? 0)]: { caption: categoryCaption ?? 'Uncategorized' } },
    };
    const item = this.compileItem('class', name, caption, { ...raw, attributes });
    const typeNames = new Map<string, string>();
    const activity = item.attrs.get('activity_id');
    for (const [key, entry] of activity?.enumValues ?? []) {
      if (entry.caption !== null) typeNames.set(key, `${caption}: ${entry.caption}`);
    }
    return { ...item, uid, typeNames };
  }

  private compileObject(name: string): ItemSpec {
    const raw = this.resolve(this.rawObjects, this.resolvedObjects, name, []);
    const caption = asString(raw.caption) ?? name;
    if (name !== 'observable') return this.compileItem('object', name, caption, raw);
    const attributes = { ...asRecord(raw.attributes) };
    const typeId = asRecord(attributes.type_id);
    const observableEnum: Rec = {};
    for (const [key, entry] of this.observableTypeIds()) observableEnum[key] = { caption: entry.caption };
    attributes.type_id = { ...typeId, enum: deepMerge(observableEnum, asRecord(typeId.enum)) };
    return this.compileItem('object', name, caption, { ...raw, attributes });
  }

  private compileItem(kind: 'class' | 'object', name: string, caption: string, raw: Rec): ItemSpec {
    const dictionary = asRecord(this.dictionary.attributes);
    const attrs = new Map<string, AttrSpec>();
    const profiles = new Set(asStrings(raw.profiles));
    const rawAttributes = asRecord(raw.attributes);
    for (const [attrName, value] of Object.entries(rawAttributes)) {
      const def = deepMerge(asRecord(dictionary[attrName]), asRecord(value));
      attrs.set(attrName, this.compileAttr(attrName, def));
    }
    // The synthetic datetime profile: a `<name>_dt` (datetime_t) twin for each timestamp_t.
    for (const attr of [...attrs.values()]) {
      if (attr.typeName !== 'timestamp_t') continue;
      const dtName = `${attr.name}_dt`;
      if (attrs.has(dtName)) continue;
      const dictionaryDt = asRecord(dictionary[dtName]);
      attrs.set(dtName, {
        ...attr,
        name: dtName,
        typeName: 'datetime_t',
        scalar: this.scalarTypes.get('datetime_t') ?? null,
        objectName: null,
        isArray: dictionaryDt.is_array === true || attr.isArray,
        required: false,
        profile: 'datetime',
        enumValues: null,
        sibling: null,
      });
      profiles.add('datetime');
    }
    for (const attr of attrs.values()) if (attr.profile) profiles.add(attr.profile);
    const constraints: Constraint[] = [];
    for (const [constraintKind, keys] of Object.entries(asRecord(raw.constraints))) {
      const list = asStrings(keys);
      if (list.length > 0) constraints.push({ kind: constraintKind, keys: list });
    }
    return {
      kind,
      name,
      caption,
      attrs,
      required: [...attrs.values()].filter((attr) => attr.required),
      open: kind === 'object' && Object.keys(rawAttributes).length === 0,
      constraints,
      deprecated: deprecationOf(raw['@deprecated']),
      profiles,
    };
  }

  private compileAttr(name: string, def: Rec): AttrSpec {
    const typeName = asString(def.type) ?? 'string_t';
    const scalar = this.scalarTypes.get(typeName) ?? null;
    let enumValues: Map<string, EnumEntry> | null = null;
    if (isRecord(def.enum)) {
      enumValues = new Map();
      for (const [key, entry] of Object.entries(def.enum)) {
        const entryRec = asRecord(entry);
        enumValues.set(key, {
          caption: asString(entryRec.caption) ?? null,
          deprecated: deprecationOf(entryRec['@deprecated']),
        });
      }
    }
    return {
      name,
      typeName,
      scalar,
      objectName: scalar ? null : typeName,
      isArray: def.is_array === true,
      required: def.requirement === 'required',
      profile: asString(def.profile) ?? null,
      enumValues,
      sibling: asString(def.sibling) ?? null,
      deprecated: deprecationOf(def['@deprecated']),
    };
  }

  /** The observable `type_id` values the server derives from `observable` annotations. */
  private observableTypeIds(): Map<string, EnumEntry> {
    if (this.observableTypes) return this.observableTypes;
    const ids = new Map<string, EnumEntry>();
    const add = (id: unknown, caption: string): void => {
      if (typeof id === 'number' && !ids.has(String(id))) ids.set(String(id), { caption, deprecated: null });
    };
    const captionOf = (items: Map<string, Rec>, name: string): string => {
      const seen = new Set<string>();
      for (let current = items.get(name); current && !seen.has(name); ) {
        const caption = asString(current.caption);
        if (caption) return caption;
        const parent = asString(current.extends);
        if (!parent) break;
        seen.add(parent);
        current = items.get(parent);
      }
      return name;
    };
    for (const value of Object.values(asRecord(asRecord(this.dictionary.types).attributes))) {
      const def = asRecord(value);
      add(def.observable, asString(def.caption) ?? '');
    }
    for (const value of Object.values(asRecord(this.dictionary.attributes))) {
      const def = asRecord(value);
      add(def.observable, asString(def.caption) ?? '');
    }
    for (const [name, object] of this.rawObjects) {
      const caption = captionOf(this.rawObjects, name);
      add(object.observable, caption);
      for (const [key, attr] of Object.entries(asRecord(object.attributes))) {
        add(asRecord(attr).observable, `${caption} Object: ${key}`);
      }
    }
    for (const [name, cls] of this.rawClasses) {
      const caption = captionOf(this.rawClasses, name);
      for (const [key, attr] of Object.entries(asRecord(cls.attributes))) {
        add(asRecord(attr).observable, `${caption} Class: ${key}`);
      }
      for (const [attrPath, id] of Object.entries(asRecord(cls.observables))) {
        add(id, `${caption} Class: ${attrPath}`);
      }
    }
    this.observableTypes = ids;
    return ids;
  }
}

let schema: OcsfSchema | null = null;
function loadSchema(): OcsfSchema {
  if (!schema) {
    if (!ocsfSchemaAvailable) throw new Error(`OCSF schema source not found at ${OCSF_SCHEMA_DIR}`);
    schema = new OcsfSchema(OCSF_SCHEMA_DIR);
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

interface Context {
  schema: OcsfSchema;
  profiles: ReadonlySet<string>;
  out: string[];
}

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
const VERSION_PATTERN = /^\d+\.\d+\.\d+(?:-dev|-rc\.\d+)?$/;

/**
 * Validates one event against OCSF 1.6.0. Returns the violations (and `warning: ` entries),
 * each prefixed with the JSON path it concerns; an empty list means the event conforms.
 */
export function validateOcsf(event: unknown): string[] {
  const loaded = loadSchema();
  if (!isRecord(event)) return [`$: expected an OCSF event object, got ${describeValue(event)}`];

  const classUid = event.class_uid;
  if (classUid === undefined || classUid === null) return ['class_uid: required attribute missing'];
  if (typeof classUid !== 'number' || !Number.isInteger(classUid)) {
    return [`class_uid: expected integer_t, got ${describeValue(classUid)}`];
  }
  const cls = loaded.classByUid(classUid);
  if (!cls) return [`class_uid: unknown class ${classUid}; no OCSF ${loaded.version} class has this uid`];

  const metadata = event.metadata;
  const declared = isRecord(metadata) ? metadata.profiles : undefined;
  const profiles = new Set(asStrings(Array.isArray(declared) ? declared : []));
  const ctx: Context = { schema: loaded, profiles, out: [] };

  if (cls.deprecated)
    ctx.out.push(`${WARNING_PREFIX}$: class "${cls.name}" (${cls.uid}) is ${cls.deprecated}`);
  if (Array.isArray(declared)) checkProfiles(declared, cls, ctx);
  validateItem(event, cls, '', ctx);
  checkTypeUid(event, cls, ctx);
  if (isRecord(metadata)) checkVersion(metadata, loaded.version, ctx);
  return ctx.out;
}

function checkProfiles(declared: readonly unknown[], cls: ClassSpec, ctx: Context): void {
  const supported = ctx.schema.profilesSupportedBy(cls);
  declared.forEach((profile, index) => {
    if (typeof profile !== 'string') return; // reported by the type check of metadata.profiles
    const at = `metadata.profiles[${index}]`;
    if (!ctx.schema.isKnownProfile(profile)) {
      ctx.out.push(`${at}: unknown profile "${profile}"`);
    } else if (!supported.has(profile)) {
      ctx.out.push(`${at}: profile "${profile}" is not supported by class "${cls.name}" (${cls.uid})`);
    }
  });
}

function checkTypeUid(event: Rec, cls: ClassSpec, ctx: Context): void {
  const { activity_id: activityId, type_uid: typeUid, type_name: typeName } = event;
  if (typeof activityId !== 'number' || !Number.isInteger(activityId)) return;
  if (typeof typeUid !== 'number' || !Number.isInteger(typeUid)) return;
  const expected = cls.uid * 100 + activityId;
  if (typeUid !== expected) {
    ctx.out.push(
      `type_uid: expected ${expected} (class_uid ${cls.uid} * 100 + activity_id ${activityId}), got ${typeUid}`,
    );
    return;
  }
  const caption = cls.typeNames.get(String(activityId));
  if (activityId !== 99 && caption !== undefined && typeof typeName === 'string' && typeName !== caption) {
    ctx.out.push(`type_name: ${JSON.stringify(typeName)} does not match "${caption}" (type_uid ${typeUid})`);
  }
}

function checkVersion(metadata: Rec, schemaVersion: string, ctx: Context): void {
  const version = metadata.version;
  if (typeof version !== 'string') return;
  if (!VERSION_PATTERN.test(version)) {
    ctx.out.push(`metadata.version: ${JSON.stringify(version)} is not a semantic version (x.y.z)`);
  } else if (version !== schemaVersion) {
    ctx.out.push(
      `${WARNING_PREFIX}metadata.version: ${JSON.stringify(version)} differs from the schema version ${schemaVersion}`,
    );
  }
}

function validateItem(value: Rec, item: ItemSpec, itemPath: string, ctx: Context): void {
  if (item.kind === 'object' && item.deprecated) {
    ctx.out.push(`${WARNING_PREFIX}${displayPath(itemPath)}: object "${item.name}" is ${item.deprecated}`);
  }
  for (const key of Object.keys(value)) {
    const attrValue = value[key];
    const attr = item.attrs.get(key);
    const at = joinPath(itemPath, key);
    if (!attr) {
      if (!item.open) ctx.out.push(`${at}: unknown attribute; not defined in ${item.kind} "${item.name}"`);
      continue;
    }
    if (attr.profile !== null && !ctx.profiles.has(attr.profile)) {
      ctx.out.push(`${at}: attribute of profile "${attr.profile}", which is not listed in metadata.profiles`);
      continue;
    }
    if (attrValue === undefined || attrValue === null) continue;
    validateAttr(attrValue, attr, at, value, itemPath, ctx);
  }
  for (const attr of item.required) {
    if (attr.profile !== null && !ctx.profiles.has(attr.profile)) continue;
    const present = value[attr.name];
    if (present === undefined || present === null) {
      const origin = attr.profile !== null ? ` (required by profile "${attr.profile}")` : '';
      ctx.out.push(`${joinPath(itemPath, attr.name)}: required attribute missing${origin}`);
    }
  }
  for (const constraint of item.constraints) checkConstraint(value, item, constraint, itemPath, ctx);
}

function hasPath(value: Rec, dotted: string): boolean {
  let current: unknown = value;
  for (const part of dotted.split('.')) {
    if (!isRecord(current)) return false;
    current = current[part];
  }
  return current !== undefined && current !== null;
}

function checkConstraint(
  value: Rec,
  item: ItemSpec,
  constraint: Constraint,
  itemPath: string,
  ctx: Context,
): void {
  const count = constraint.keys.filter((key) => hasPath(value, key)).length;
  const keys = constraint.keys.join(', ');
  const where = `${displayPath(itemPath)}: ${item.kind} "${item.name}" constraint ${constraint.kind}`;
  if (constraint.kind === 'at_least_one') {
    if (count === 0) ctx.out.push(`${where}: at least one of [${keys}] must be present`);
  } else if (constraint.kind === 'just_one') {
    if (count !== 1) ctx.out.push(`${where}: exactly one of [${keys}] must be present, found ${count}`);
  } else {
    ctx.out.push(`${where}: unsupported constraint kind (schema)`);
  }
}

function validateAttr(
  value: unknown,
  attr: AttrSpec,
  at: string,
  parent: Rec,
  parentPath: string,
  ctx: Context,
): void {
  if (attr.deprecated) ctx.out.push(`${WARNING_PREFIX}${at}: attribute is ${attr.deprecated}`);
  if (!attr.isArray) {
    if (validateValue(value, attr, at, ctx)) checkEnum(value, attr, at, parent, parentPath, null, ctx);
    return;
  }
  if (!Array.isArray(value)) {
    ctx.out.push(`${at}: expected array of ${typeLabel(attr)}, got ${describeValue(value)}`);
    return;
  }
  value.forEach((element, index) => {
    const elementPath = `${at}[${index}]`;
    if (element === null || element === undefined) {
      ctx.out.push(`${elementPath}: expected ${typeLabel(attr)}, got ${describeValue(element)}`);
      return;
    }
    if (validateValue(element, attr, elementPath, ctx)) {
      checkEnum(element, attr, elementPath, parent, parentPath, index, ctx);
    }
  });
}

function typeLabel(attr: AttrSpec): string {
  return attr.scalar ? attr.scalar.label : `object ${attr.typeName}`;
}

/** Checks the value's type (recursing into objects); true when the type is right. */
function validateValue(value: unknown, attr: AttrSpec, at: string, ctx: Context): boolean {
  const scalar = attr.scalar;
  if (!scalar) {
    const object = ctx.schema.object(attr.typeName);
    if (!object) {
      ctx.out.push(`${at}: schema defines no type or object named "${attr.typeName}"`);
      return false;
    }
    if (!isRecord(value)) {
      ctx.out.push(`${at}: expected object ${attr.typeName}, got ${describeValue(value)}`);
      return false;
    }
    validateItem(value, object, at, ctx);
    return true;
  }
  const wrongType = (): false => {
    ctx.out.push(`${at}: expected ${scalar.label}, got ${describeValue(value)}`);
    return false;
  };
  switch (scalar.base) {
    case 'json_t':
      return true;
    case 'boolean_t':
      if (typeof value !== 'boolean') return wrongType();
      break;
    case 'float_t':
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType();
      break;
    case 'integer_t':
    case 'long_t':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_INT64 || value >= MAX_INT64) {
        return wrongType();
      }
      break;
    case 'string_t':
      if (typeof value !== 'string') return wrongType();
      break;
  }
  checkScalarConstraints(value, scalar, at, ctx);
  return true;
}

function checkScalarConstraints(value: unknown, scalar: ScalarType, at: string, ctx: Context): void {
  if (scalar.values && !scalar.values.includes(value)) {
    ctx.out.push(`${at}: ${describeValue(value)} is not an allowed ${scalar.name} value`);
  }
  if (typeof value === 'number' && scalar.range) {
    const [low, high] = scalar.range;
    if (value < low || value > high)
      ctx.out.push(`${at}: ${value} is outside the ${scalar.name} range ${low}..${high}`);
  }
  if (typeof value !== 'string') return;
  if (scalar.maxLen !== null && value.length > scalar.maxLen) {
    ctx.out.push(`${at}: length ${value.length} exceeds the ${scalar.name} max_len ${scalar.maxLen}`);
  }
  if (scalar.isIp && isIP(value) === 0) {
    ctx.out.push(`${at}: ${JSON.stringify(value)} is not a valid IP address (${scalar.name})`);
  }
  if (scalar.regex && !scalar.regex.test(value)) {
    ctx.out.push(`${at}: ${describeValue(value)} does not match the ${scalar.name} pattern`);
  }
}

function enumKey(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return String(value);
  return null;
}

function checkEnum(
  value: unknown,
  attr: AttrSpec,
  at: string,
  parent: Rec,
  parentPath: string,
  index: number | null,
  ctx: Context,
): void {
  const values = attr.enumValues;
  if (!values) return;
  const key = enumKey(value);
  const entry = key === null ? undefined : values.get(key);
  if (entry === undefined) {
    const allowed = [...values.keys()];
    const shown = allowed.length > 25 ? `${allowed.slice(0, 25).join(', ')}, ...` : allowed.join(', ');
    ctx.out.push(`${at}: ${describeValue(value)} is not a defined ${attr.name} value (allowed: ${shown})`);
    return;
  }
  if (entry.deprecated)
    ctx.out.push(`${WARNING_PREFIX}${at}: value ${key} of ${attr.name} is ${entry.deprecated}`);
  // The caption sibling is optional; when present it must match, except for 99 (Other).
  if (attr.sibling === null || value === 99 || entry.caption === null) return;
  const siblingValue = parent[attr.sibling];
  if (siblingValue === undefined || siblingValue === null) return;
  const siblingPath = joinPath(parentPath, attr.sibling);
  if (index === null) {
    if (siblingValue !== entry.caption) {
      ctx.out.push(
        `${siblingPath}: ${describeValue(siblingValue)} does not match the caption "${entry.caption}" of ${attr.name} ${key}`,
      );
    }
    return;
  }
  if (!Array.isArray(siblingValue)) return; // reported by the type check of the sibling
  const element: unknown = siblingValue[index];
  if (element === undefined) {
    ctx.out.push(
      `${siblingPath}[${index}]: missing caption "${entry.caption}" for ${attr.name}[${index}] ${key}`,
    );
  } else if (element !== entry.caption) {
    ctx.out.push(
      `${siblingPath}[${index}]: ${describeValue(element)} does not match the caption "${entry.caption}" of ${attr.name}[${index}] ${key}`,
    );
  }
}
