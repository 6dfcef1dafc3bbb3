/**
 * OCSF 1.6.0 identifiers used by Riposte. Values come from the official schema source
 * (`events/`, `categories.json`, `dictionary.json`); captions are kept next to their ids so
 * the `*_name` attributes always agree with the `*_id` ones.
 */

export const OCSF_VERSION = '1.6.0';

/** OCSF classes Riposte emits, with their category. */
export const OcsfClass = {
  VulnerabilityFinding: {
    uid: 2002,
    name: 'Vulnerability Finding',
    category_uid: 2,
    category_name: 'Findings',
  },
  ComplianceFinding: { uid: 2003, name: 'Compliance Finding', category_uid: 2, category_name: 'Findings' },
  DetectionFinding: { uid: 2004, name: 'Detection Finding', category_uid: 2, category_name: 'Findings' },
  DataSecurityFinding: {
    uid: 2006,
    name: 'Data Security Finding',
    category_uid: 2,
    category_name: 'Findings',
  },
  Authentication: {
    uid: 3002,
    name: 'Authentication',
    category_uid: 3,
    category_name: 'Identity & Access Management',
  },
  ApiActivity: { uid: 6003, name: 'API Activity', category_uid: 6, category_name: 'Application Activity' },
} as const;

export type OcsfClassInfo = (typeof OcsfClass)[keyof typeof OcsfClass];
export type OcsfClassUid = OcsfClassInfo['uid'];

/** `severity_id` values and their captions. */
export const SEVERITY_CAPTIONS = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
  99: 'Other',
} as const;
export type SeverityId = keyof typeof SEVERITY_CAPTIONS;

/** Finding `activity_id` (Create, Update, Close). */
export const FINDING_ACTIVITY = { 1: 'Create', 2: 'Update', 3: 'Close' } as const;
export type FindingActivityId = keyof typeof FINDING_ACTIVITY;

/** Finding `status_id`. */
export const FINDING_STATUS = {
  0: 'Unknown',
  1: 'New',
  2: 'In Progress',
  3: 'Suppressed',
  4: 'Resolved',
  5: 'Archived',
  6: 'Deleted',
  99: 'Other',
} as const;
export type FindingStatusId = keyof typeof FINDING_STATUS;

/** `compliance.status_id`. */
export const COMPLIANCE_STATUS = { 0: 'Unknown', 1: 'Pass', 2: 'Warning', 3: 'Fail', 99: 'Other' } as const;
export type ComplianceStatusId = keyof typeof COMPLIANCE_STATUS;

/** API Activity `activity_id`. */
export const API_ACTIVITY = {
  0: 'Unknown',
  1: 'Create',
  2: 'Read',
  3: 'Update',
  4: 'Delete',
  99: 'Other',
} as const;
export type ApiActivityId = keyof typeof API_ACTIVITY;

/** Authentication `activity_id`. */
export const AUTH_ACTIVITY = { 1: 'Logon', 2: 'Logoff' } as const;

/** Event `status_id` (API Activity, Authentication). */
export const EVENT_STATUS = { 0: 'Unknown', 1: 'Success', 2: 'Failure', 99: 'Other' } as const;
export type EventStatusId = keyof typeof EVENT_STATUS;

/** `account.type_id` for an AWS account. */
export const AWS_ACCOUNT_TYPE = { type_id: 10, type: 'AWS Account' } as const;
