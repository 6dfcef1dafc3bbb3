import { z } from 'zod';
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
export const SeverityIdSchema = z
  .number()
  .int()
  .refine((id) => Object.hasOwn(SEVERITY_CAPTIONS, id), {
    message: `must be one of ${Object.keys(SEVERITY_CAPTIONS).join(', ')} (the OCSF severity_id enum)`,
  });

/** OCSF `timestamp_t`: milliseconds since the Unix epoch. */
export const TimestampSchema = z.number().int().nonnegative();

const json = z.unknown();

export const AccountSchema = z.looseObject({
  uid: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  type_id: z.number().int().optional(),
});

export const CloudSchema = z.looseObject({
  provider: z.string(),
  region: z.string().optional(),
  account: AccountSchema.optional(),
  cloud_partition: z.string().optional(),
});

export const ProductSchema = z.looseObject({
  name: z.string().optional(),
  vendor_name: z.string().optional(),
  uid: z.string().optional(),
  feature: z.looseObject({ name: z.string().optional(), uid: z.string().optional() }).optional(),
});

export const MetadataSchema = z.looseObject({
  version: z.string().default(OCSF_VERSION),
  product: ProductSchema,
  profiles: z.array(z.string()).optional(),
  uid: z.string().optional(),
  labels: z.array(z.string()).optional(),
  event_code: z.string().optional(),
  original_time: z.string().optional(),
  logged_time: TimestampSchema.optional(),
  modified_time: TimestampSchema.optional(),
  correlation_uid: z.string().optional(),
});

export const FindingInfoSchema = z.looseObject({
  uid: z.string(),
  title: z.string().optional(),
  desc: z.string().optional(),
  types: z.array(z.string()).optional(),
  created_time: TimestampSchema.optional(),
  modified_time: TimestampSchema.optional(),
  first_seen_time: TimestampSchema.optional(),
  last_seen_time: TimestampSchema.optional(),
  src_url: z.string().optional(),
  product_uid: z.string().optional(),
});

export const KeyValueSchema = z.looseObject({ name: z.string(), value: z.string().optional() });

export const ResourceSchema = z.looseObject({
  uid: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  region: z.string().optional(),
  cloud_partition: z.string().optional(),
  labels: z.array(z.string()).optional(),
  tags: z.array(KeyValueSchema).optional(),
  data: json.optional(),
});

export const LocationSchema = z.looseObject({
  city: z.string().optional(),
  country: z.string().optional(),
  lat: z.number().optional(),
  long: z.number().optional(),
});

export const NetworkEndpointSchema = z.looseObject({
  ip: z.string().optional(),
  domain: z.string().optional(),
  hostname: z.string().optional(),
  port: z.number().int().optional(),
  svc_name: z.string().optional(),
  uid: z.string().optional(),
  location: LocationSchema.optional(),
  autonomous_system: z
    .looseObject({ number: z.number().int().optional(), name: z.string().optional() })
    .optional(),
  isp: z.string().optional(),
  isp_org: z.string().optional(),
});

export const UserSchema = z.looseObject({
  uid: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  type_id: z.number().int().optional(),
  credential_uid: z.string().optional(),
  account: AccountSchema.optional(),
});

/** OCSF `session`: an authenticated session (for AWS, an STS session and the role that issued it). */
export const SessionSchema = z.looseObject({
  uid: z.string().optional(),
  uid_alt: z.string().optional(),
  issuer: z.string().optional(),
  created_time: TimestampSchema.optional(),
  expiration_time: TimestampSchema.optional(),
  is_mfa: z.boolean().optional(),
  credential_uid: z.string().optional(),
});

export const ApiSchema = z.looseObject({
  operation: z.string(),
  service: z.looseObject({ name: z.string().optional() }).optional(),
  request: z.looseObject({ uid: z.string(), data: json.optional() }).optional(),
  response: z
    .looseObject({
      error: z.string().optional(),
      message: z.string().optional(),
      error_message: z.string().optional(),
      data: json.optional(),
    })
    .optional(),
});

export const EvidenceSchema = z.looseObject({
  src_endpoint: NetworkEndpointSchema.optional(),
  dst_endpoint: NetworkEndpointSchema.optional(),
  api: ApiSchema.optional(),
  query: z.looseObject({ hostname: z.string() }).optional(),
  connection_info: z
    .looseObject({
      direction_id: z.number().int(),
      direction: z.string().optional(),
      protocol_name: z.string().optional(),
    })
    .optional(),
  data: json.optional(),
});

export const ComplianceSchema = z.looseObject({
  control: z.string().optional(),
  standards: z.array(z.string()).optional(),
  requirements: z.array(z.string()).optional(),
  status_id: z.number().int().optional(),
  status: z.string().optional(),
  status_detail: z.string().optional(),
});

export const CvssSchema = z.looseObject({
  base_score: z.number(),
  version: z.string(),
  vector_string: z.string().optional(),
  vendor_name: z.string().optional(),
});

export const VulnerabilitySchema = z.looseObject({
  title: z.string().optional(),
  desc: z.string().optional(),
  severity: z.string().optional(),
  cve: z
    .looseObject({
      uid: z.string(),
      cvss: z.array(CvssSchema).optional(),
      epss: z.looseObject({ score: z.string() }).optional(),
    })
    .optional(),
  affected_packages: z.array(z.looseObject({ name: z.string() })).optional(),
  is_fix_available: z.boolean().optional(),
  references: z.array(z.string()).optional(),
  vendor_name: z.string().optional(),
  first_seen_time: TimestampSchema.optional(),
  last_seen_time: TimestampSchema.optional(),
});

/**
 * An OCSF 1.6.0 event of one of the classes Riposte handles: the common attributes are
 * required, the class-specific ones optional here and checked by {@link OcsfEventSchema}'s
 * refinement.
 */
export const OcsfEventSchema = z
  .looseObject({
    class_uid: z.number().int(),
    class_name: z.string().optional(),
    category_uid: z.number().int(),
    category_name: z.string().optional(),
    activity_id: z.number().int(),
    activity_name: z.string().optional(),
    type_uid: z.number().int(),
    type_name: z.string().optional(),
    severity_id: SeverityIdSchema,
    severity: z.string().optional(),
    time: TimestampSchema,
    message: z.string().optional(),
    status: z.string().optional(),
    status_id: z.number().int().optional(),
    status_code: z.string().optional(),
    status_detail: z.string().optional(),
    count: z.number().int().optional(),
    confidence_score: z.number().int().optional(),
    is_alert: z.boolean().optional(),
    metadata: MetadataSchema,
    cloud: CloudSchema,
    finding_info: FindingInfoSchema.optional(),
    resources: z.array(ResourceSchema).optional(),
    evidences: z.array(EvidenceSchema).optional(),
    compliance: ComplianceSchema.optional(),
    vulnerabilities: z.array(VulnerabilitySchema).optional(),
    api: ApiSchema.optional(),
    actor: z
      .looseObject({
        user: UserSchema.optional(),
        session: SessionSchema.optional(),
        invoked_by: z.string().optional(),
      })
      .optional(),
    user: UserSchema.optional(),
    session: SessionSchema.optional(),
    service: z.looseObject({ name: z.string().optional(), uid: z.string().optional() }).optional(),
    src_endpoint: NetworkEndpointSchema.optional(),
    dst_endpoint: NetworkEndpointSchema.optional(),
    http_request: z.looseObject({ user_agent: z.string().optional() }).optional(),
    is_mfa: z.boolean().optional(),
    unmapped: json.optional(),
    raw_data: z.string().optional(),
  })
  .superRefine((event, ctx) => {
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
  });

export type OcsfEvent = z.infer<typeof OcsfEventSchema>;
export type OcsfResource = z.infer<typeof ResourceSchema>;
export type OcsfEvidence = z.infer<typeof EvidenceSchema>;
export type OcsfUser = z.infer<typeof UserSchema>;
export type OcsfSession = z.infer<typeof SessionSchema>;
export type OcsfNetworkEndpoint = z.infer<typeof NetworkEndpointSchema>;
export type OcsfVulnerability = z.infer<typeof VulnerabilitySchema>;
export type OcsfCompliance = z.infer<typeof ComplianceSchema>;
export type OcsfApi = z.infer<typeof ApiSchema>;
