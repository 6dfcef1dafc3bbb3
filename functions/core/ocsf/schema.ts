import * as z from '../zod.ts';
import { OCSF_VERSION, SEVERITY_CAPTIONS } from './constants.ts';

/**
 * zod schemas for the part of OCSF 1.6.0 that Riposte reads and writes.
 *
 * Objects are "loose": an OCSF event that carries more attributes than Riposte maps (a third
 * party sending its own OCSF through `riposte.custom`, say) still parses, and keeps them.
 * What Riposte relies on is typed here; full conformance against the official schema source is
 * checked in the tests.
 */

/** OCSF `severity_id`: one of the enum's values (0-6, 99), nothing else. */
export const SeverityIdSchema = z.number().check(
  z.int(),
  z.refine((id) => Object.hasOwn(SEVERITY_CAPTIONS, id), {
    message: `must be one of ${Object.keys(SEVERITY_CAPTIONS).join(', ')} (the OCSF severity_id enum)`,
  }),
);

/** OCSF `timestamp_t`: milliseconds since the Unix epoch. */
export const TimestampSchema = z.number().check(z.int(), z.nonnegative());

const json = z.unknown();

// One instance per leaf type, shared by every field of that type: zod schemas are immutable, and
// each one built is work at every cold start (this module is on the ingest Lambda's import path).
const int = z.number().check(z.int());
const optionalString = z.optional(z.string());
const optionalStrings = z.optional(z.array(z.string()));
const optionalInt = z.optional(int);
const optionalNumber = z.optional(z.number());
const optionalBoolean = z.optional(z.boolean());
const optionalTimestamp = z.optional(TimestampSchema);
const optionalJson = z.optional(json);

export const AccountSchema = z.looseObject({
  uid: optionalString,
  name: optionalString,
  type: optionalString,
  type_id: optionalInt,
});

export const CloudSchema = z.looseObject({
  provider: z.string(),
  region: optionalString,
  account: z.optional(AccountSchema),
  cloud_partition: optionalString,
});

export const ProductSchema = z.looseObject({
  name: optionalString,
  vendor_name: optionalString,
  uid: optionalString,
  feature: z.optional(z.looseObject({ name: optionalString, uid: optionalString })),
});

export const MetadataSchema = z.looseObject({
  version: z._default(z.string(), OCSF_VERSION),
  product: ProductSchema,
  profiles: optionalStrings,
  uid: optionalString,
  labels: optionalStrings,
  event_code: optionalString,
  original_time: optionalString,
  logged_time: optionalTimestamp,
  modified_time: optionalTimestamp,
  correlation_uid: optionalString,
});

/** OCSF `related_event`: an event or another finding related to a finding (an attack sequence's signals). */
export const RelatedEventSchema = z.looseObject({
  uid: z.string(),
  type: optionalString,
  title: optionalString,
  desc: optionalString,
  count: optionalInt,
  created_time: optionalTimestamp,
  modified_time: optionalTimestamp,
  first_seen_time: optionalTimestamp,
  last_seen_time: optionalTimestamp,
  severity_id: z.optional(SeverityIdSchema),
  severity: optionalString,
  product_uid: optionalString,
});

/** An ATT&CK tactic or technique (OCSF `tactic`, `technique`). */
const AttackReferenceSchema = z.looseObject({
  name: optionalString,
  uid: optionalString,
  src_url: optionalString,
});

/** OCSF `attack`: the MITRE ATT&CK tactic and technique a finding relates to. */
export const AttackSchema = z.looseObject({
  tactic: z.optional(AttackReferenceSchema),
  technique: z.optional(AttackReferenceSchema),
});
export type OcsfAttack = z.infer<typeof AttackSchema>;

export const FindingInfoSchema = z.looseObject({
  uid: z.string(),
  title: optionalString,
  desc: optionalString,
  types: optionalStrings,
  created_time: optionalTimestamp,
  modified_time: optionalTimestamp,
  first_seen_time: optionalTimestamp,
  last_seen_time: optionalTimestamp,
  src_url: optionalString,
  product_uid: optionalString,
  related_events: z.optional(z.array(RelatedEventSchema)),
  related_events_count: optionalInt,
  attacks: z.optional(z.array(AttackSchema)),
});

export const KeyValueSchema = z.looseObject({ name: z.string(), value: optionalString });

export const ResourceSchema = z.looseObject({
  uid: optionalString,
  name: optionalString,
  type: optionalString,
  region: optionalString,
  cloud_partition: optionalString,
  labels: optionalStrings,
  tags: z.optional(z.array(KeyValueSchema)),
  data: optionalJson,
  /** OCSF `resource_details.version`: an S3 object's version id. */
  version: optionalString,
});

export const LocationSchema = z.looseObject({
  city: optionalString,
  country: optionalString,
  lat: optionalNumber,
  long: optionalNumber,
});

export const NetworkEndpointSchema = z.looseObject({
  ip: optionalString,
  domain: optionalString,
  hostname: optionalString,
  port: optionalInt,
  svc_name: optionalString,
  uid: optionalString,
  location: z.optional(LocationSchema),
  autonomous_system: z.optional(z.looseObject({ number: optionalInt, name: optionalString })),
  isp: optionalString,
  isp_org: optionalString,
});

export const UserSchema = z.looseObject({
  uid: optionalString,
  name: optionalString,
  type: optionalString,
  type_id: optionalInt,
  credential_uid: optionalString,
  account: z.optional(AccountSchema),
});

/** OCSF `session`: an authenticated session (for AWS, an STS session and the role that issued it). */
export const SessionSchema = z.looseObject({
  uid: optionalString,
  uid_alt: optionalString,
  issuer: optionalString,
  created_time: optionalTimestamp,
  expiration_time: optionalTimestamp,
  is_mfa: optionalBoolean,
  credential_uid: optionalString,
});

export const ApiSchema = z.looseObject({
  operation: z.string(),
  service: z.optional(z.looseObject({ name: optionalString })),
  request: z.optional(z.looseObject({ uid: z.string(), data: optionalJson })),
  response: z.optional(
    z.looseObject({
      error: optionalString,
      message: optionalString,
      error_message: optionalString,
      data: optionalJson,
    }),
  ),
});

export const EvidenceSchema = z.looseObject({
  src_endpoint: z.optional(NetworkEndpointSchema),
  dst_endpoint: z.optional(NetworkEndpointSchema),
  api: z.optional(ApiSchema),
  query: z.optional(z.looseObject({ hostname: z.string() })),
  http_request: z.optional(z.looseObject({ user_agent: optionalString })),
  connection_info: z.optional(
    z.looseObject({
      direction_id: int,
      direction: optionalString,
      protocol_name: optionalString,
    }),
  ),
  data: optionalJson,
});

export const ComplianceSchema = z.looseObject({
  control: optionalString,
  standards: optionalStrings,
  requirements: optionalStrings,
  status_id: optionalInt,
  status: optionalString,
  status_detail: optionalString,
});

export const CvssSchema = z.looseObject({
  base_score: z.number(),
  version: z.string(),
  vector_string: optionalString,
  vendor_name: optionalString,
});

export const VulnerabilitySchema = z.looseObject({
  title: optionalString,
  desc: optionalString,
  severity: optionalString,
  cve: z.optional(
    z.looseObject({
      uid: z.string(),
      cvss: z.optional(z.array(CvssSchema)),
      epss: z.optional(z.looseObject({ score: z.string() })),
    }),
  ),
  affected_packages: z.optional(z.array(z.looseObject({ name: z.string() }))),
  is_fix_available: optionalBoolean,
  references: optionalStrings,
  vendor_name: optionalString,
  first_seen_time: optionalTimestamp,
  last_seen_time: optionalTimestamp,
});

/**
 * An OCSF 1.6.0 event of one of the classes Riposte handles: the common attributes are
 * required, the class-specific ones optional here and checked by {@link OcsfEventSchema}'s
 * refinement.
 */
export const OcsfEventSchema = z
  .looseObject({
    class_uid: int,
    class_name: optionalString,
    category_uid: int,
    category_name: optionalString,
    activity_id: int,
    activity_name: optionalString,
    type_uid: int,
    type_name: optionalString,
    severity_id: SeverityIdSchema,
    severity: optionalString,
    time: TimestampSchema,
    message: optionalString,
    status: optionalString,
    status_id: optionalInt,
    status_code: optionalString,
    status_detail: optionalString,
    count: optionalInt,
    confidence_score: optionalInt,
    is_alert: optionalBoolean,
    metadata: MetadataSchema,
    cloud: CloudSchema,
    finding_info: z.optional(FindingInfoSchema),
    resources: z.optional(z.array(ResourceSchema)),
    evidences: z.optional(z.array(EvidenceSchema)),
    compliance: z.optional(ComplianceSchema),
    vulnerabilities: z.optional(z.array(VulnerabilitySchema)),
    api: z.optional(ApiSchema),
    actor: z.optional(
      z.looseObject({
        user: z.optional(UserSchema),
        session: z.optional(SessionSchema),
        invoked_by: optionalString,
      }),
    ),
    user: z.optional(UserSchema),
    session: z.optional(SessionSchema),
    service: z.optional(z.looseObject({ name: optionalString, uid: optionalString })),
    src_endpoint: z.optional(NetworkEndpointSchema),
    dst_endpoint: z.optional(NetworkEndpointSchema),
    http_request: z.optional(z.looseObject({ user_agent: optionalString })),
    is_mfa: optionalBoolean,
    unmapped: optionalJson,
    raw_data: optionalString,
  })
  .check(
    z.superRefine((event, ctx) => {
      if (event.type_uid !== event.class_uid * 100 + event.activity_id) {
        ctx.addIssue({
          code: 'custom',
          path: ['type_uid'],
          message: `type_uid must be class_uid * 100 + activity_id (${event.class_uid * 100 + event.activity_id})`,
        });
      }
      if (Math.floor(event.class_uid / 1000) !== event.category_uid) {
        ctx.addIssue({
          code: 'custom',
          path: ['category_uid'],
          message: 'category_uid does not match class_uid',
        });
      }
      const isFinding = event.category_uid === 2;
      if (isFinding && event.finding_info === undefined) {
        ctx.addIssue({ code: 'custom', path: ['finding_info'], message: 'findings require finding_info' });
      }
      if (event.class_uid === 2003 && event.compliance === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['compliance'],
          message: 'Compliance Finding requires compliance',
        });
      }
      if (event.class_uid === 2002 && event.vulnerabilities === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['vulnerabilities'],
          message: 'Vulnerability Finding requires vulnerabilities',
        });
      }
      if (event.class_uid === 3002 && event.user === undefined) {
        ctx.addIssue({ code: 'custom', path: ['user'], message: 'Authentication requires user' });
      }
      if (event.class_uid === 6003) {
        for (const key of ['api', 'actor', 'src_endpoint'] as const) {
          if (event[key] === undefined) {
            ctx.addIssue({ code: 'custom', path: [key], message: `API Activity requires ${key}` });
          }
        }
      }
    }),
  );

export type OcsfEvent = z.infer<typeof OcsfEventSchema>;
export type OcsfResource = z.infer<typeof ResourceSchema>;
export type OcsfEvidence = z.infer<typeof EvidenceSchema>;
export type OcsfUser = z.infer<typeof UserSchema>;
export type OcsfSession = z.infer<typeof SessionSchema>;
export type OcsfNetworkEndpoint = z.infer<typeof NetworkEndpointSchema>;
export type OcsfVulnerability = z.infer<typeof VulnerabilitySchema>;
export type OcsfCompliance = z.infer<typeof ComplianceSchema>;
export type OcsfApi = z.infer<typeof ApiSchema>;
export type OcsfRelatedEvent = z.infer<typeof RelatedEventSchema>;
