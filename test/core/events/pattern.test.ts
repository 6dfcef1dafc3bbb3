import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
} from '../../../functions/core/events/pattern.ts';

// ---------------------------------------------------------------------------
// Sample events, taken from the EventBridge user guide (and aws/event-ruler's README,
// whose sample event the content-filtering examples are written against).

/** "Creating event patterns": the Amazon EC2 state-change event. */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

/** "Matching on null values and empty strings": the Auto Scaling event. */
const autoscalingEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

/** The event the content-filtering examples (prefix, anything-but, numeric, cidr) describe. */
const contentEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** "Creating event patterns" (value matching): the truncated Amazon Macie event. */
const macieEvent = {
  version: '0',
  id: '3e355723-fca9-4de3-9fd7-154c289d6b59',
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  account: '123456789012',
  time: '2017-04-24T22:28:49Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id',
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
  ],
  detail: {
    'notification-type': 'ALERT_CREATED',
    name: 'Scanning bucket policies',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
};

/** An envelope around `detail`, for operator examples that only look at the detail. */
const withDetail = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: '1',
  'detail-type': 'test-detail-type',
  source: 'test-source',
  account: '123456789012',
  time: '2022-07-13T13:48:01Z',
  region: 'us-east-2',
  resources: [],
  detail,
  ...extra,
});

interface Row {
  readonly name: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly expected: boolean;
}

// ---------------------------------------------------------------------------
// Matching

const structureRows: Row[] = [
  {
    name: 'the EC2 instance-termination example matches the EC2 event',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'the termination example does not match a running instance',
    pattern: { source: ['aws.ec2'], detail: { state: ['terminated'] } },
    event: { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } },
    expected: false,
  },
  {
    name: 'values in an array are ORed ("aws.ec2" or "aws.fargate")',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'fields are ANDed: every field must match',
    pattern: { source: ['aws.ec2'], region: ['eu-west-1'] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'envelope fields (account, region, resources) can be matched',
    pattern: {
      account: ['111122223333'],
      region: ['us-west-1'],
      resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'a field of the pattern that the event lacks does not match',
    pattern: { detail: { 'instance-type': ['t3.micro'] } },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'field names must appear with the same nesting',
    pattern: { state: ['terminated'] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'strings match character by character, without case folding',
    pattern: { source: ['AWS.EC2'] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'field names are case sensitive',
    pattern: { Source: ['aws.ec2'] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'numbers match exactly (Macie risk score 80 and trigger risk 8)',
    pattern: {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    },
    event: macieEvent,
    expected: true,
  },
  {
    name: 'a number does not match the same digits as a string',
    pattern: { detail: { 'risk-score': ['80'] } },
    event: macieEvent,
    expected: false,
  },
  {
    name: 'booleans match the JSON literal',
    pattern: { detail: { enabled: [true] } },
    event: withDetail({ enabled: true }),
    expected: true,
  },
  {
    name: 'a boolean does not match the string "true"',
    pattern: { detail: { enabled: [true] } },
    event: withDetail({ enabled: 'true' }),
    expected: false,
  },
  {
    name: 'an empty string matches "" (eventVersion)',
    pattern: { detail: { eventVersion: [''] } },
    event: autoscalingEvent,
    expected: true,
  },
  {
    name: 'null matches a null value (responseElements)',
    pattern: { detail: { responseElements: [null] } },
    event: autoscalingEvent,
    expected: true,
  },
  {
    name: 'the field-matching example on the Auto Scaling event',
    pattern: {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    },
    event: autoscalingEvent,
    expected: true,
  },
  {
    name: 'an empty-string pattern does not match null',
    pattern: { detail: { responseElements: [''] } },
    event: autoscalingEvent,
    expected: false,
  },
  {
    name: 'a null pattern does not match an empty string',
    pattern: { detail: { eventVersion: [null] } },
    event: autoscalingEvent,
    expected: false,
  },
  {
    name: 'a null pattern does not match a missing field',
    pattern: { detail: { requestParameters: [null] } },
    event: autoscalingEvent,
    expected: false,
  },
  {
    name: 'a null pattern does not match an empty event array',
    pattern: { resources: [null] },
    event: autoscalingEvent,
    expected: false,
  },
  {
    name: 'event arrays: matches when the pattern and event arrays intersect',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: withDetail(
      {},
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
    ),
    expected: true,
  },
  {
    name: 'event arrays: no match when the intersection is empty',
    pattern: { detail: { tags: ['External'] } },
    event: macieEvent,
    expected: false,
  },
  {
    name: 'objects inside event arrays are matched as if they were the field value',
    pattern: { detail: { employees: { firstName: ['Anna'] } } },
    event: withDetail({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    }),
    expected: true,
  },
  {
    name: 'two fields of one array element must match in the same element',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    event: withDetail({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    expected: false,
  },
  {
    name: 'two fields matching in the same array element match',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    event: withDetail({
      employees: [
        { firstName: 'Peter', lastName: 'Jones' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    }),
    expected: true,
  },
  {
    name: 'arrays of arrays are crushed out too',
    pattern: { detail: { employees: { firstName: ['Peter'] } } },
    event: withDetail({
      employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]],
    }),
    expected: true,
  },
  {
    name: 'dot-joining: a dotted pattern key finds nested event fields',
    pattern: { detail: { 'state.status': ['running'] } },
    event: withDetail({ state: { status: 'running' } }),
    expected: true,
  },
  {
    name: 'dot-joining: nested pattern keys find a dotted event key',
    pattern: { detail: { state: { status: ['running'] } } },
    event: withDetail({ 'state.status': 'running' }),
    expected: true,
  },
];

const prefixSuffixRows: Row[] = [
  {
    name: 'prefix: "time" starting with 2017-10-02',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'prefix: another day does not match',
    pattern: { time: [{ prefix: '2017-10-03' }] },
    event: contentEvent,
    expected: false,
  },
  {
    name: 'prefix: European regions',
    pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
    event: { ...autoscalingEvent, region: 'eu-west-3' },
    expected: true,
  },
  {
    name: 'prefix: only string values match',
    pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
    event: contentEvent,
    expected: false,
  },
  {
    name: 'prefix is case sensitive',
    pattern: { detail: { service: [{ prefix: 'EventB' }] } },
    event: withDetail({ service: 'eventbridge' }),
    expected: false,
  },
  {
    name: 'prefix with equals-ignore-case: "EventB" matches "eventbridge"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'eventbridge' }),
    expected: true,
  },
  {
    name: 'prefix with equals-ignore-case: "EventB" matches "EVENTBRIDGE"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'EVENTBRIDGE' }),
    expected: true,
  },
  {
    name: 'prefix with equals-ignore-case: "EventB" does not match "Events"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'Events' }),
    expected: false,
  },
  {
    name: 'suffix: FileName ending with .png',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: withDetail({}, { FileName: 'image.png' }),
    expected: true,
  },
  {
    name: 'suffix is case sensitive',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: withDetail({}, { FileName: 'image.PNG' }),
    expected: false,
  },
  {
    name: 'suffix with equals-ignore-case: ".png" matches "IMAGE.PNG"',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withDetail({ FileName: 'IMAGE.PNG' }),
    expected: true,
  },
  {
    name: 'suffix with equals-ignore-case: ".png" does not match "image.jpg"',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withDetail({ FileName: 'image.jpg' }),
    expected: false,
  },
  {
    name: 'equals-ignore-case: detail-type in any casing',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'equals-ignore-case: "alice" matches "Alice"',
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: withDetail({ Name: 'Alice' }),
    expected: true,
  },
  {
    name: 'equals-ignore-case: the whole value must match',
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: withDetail({ Name: 'Alicia' }),
    expected: false,
  },
  {
    name: 'equals-ignore-case: non-ASCII letters fold too',
    pattern: { detail: { City: [{ 'equals-ignore-case': 'ÉVRY' }] } },
    event: withDetail({ City: 'évry' }),
    expected: true,
  },
];

const wildcardRows: Row[] = [
  {
    name: 'wildcard: "Simple*Service"',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: withDetail({}, { source: 'Simple Notification Service' }),
    expected: true,
  },
  {
    name: 'wildcard: any .png file within the folder "dir"',
    pattern: { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } },
    event: withDetail({ FilePath: 'dir/sub/image.png' }),
    expected: true,
  },
  {
    name: 'wildcard: a .png outside "dir" does not match',
    pattern: { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } },
    event: withDetail({ FilePath: 'other/image.png' }),
    expected: false,
  },
  {
    name: 'wildcard: several wildcards in one value ("*Title*")',
    pattern: { detail: { Name: [{ wildcard: '*Title*' }] } },
    event: withDetail({ Name: 'Job Title Update' }),
    expected: true,
  },
  {
    name: 'wildcard: repeated sequences after a wildcard',
    pattern: { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
    event: withDetail({}, { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt' }),
    expected: true,
  },
  {
    name: 'wildcard: the literal tail must match',
    pattern: { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
    event: withDetail({}, { FileName: '/Users/ls_user/dir/dir/notmatchingdoc.txt' }),
    expected: false,
  },
  {
    name: 'wildcard: "*" matches zero characters',
    pattern: { detail: { Name: [{ wildcard: 'a*b' }] } },
    event: withDetail({ Name: 'ab' }),
    expected: true,
  },
  {
    name: 'wildcard: "\\*" is a literal asterisk',
    pattern: { detail: { Name: [{ wildcard: 'file\\*name' }] } },
    event: withDetail({ Name: 'file*name' }),
    expected: true,
  },
  {
    name: 'wildcard: an escaped asterisk is not a wildcard',
    pattern: { detail: { Name: [{ wildcard: 'file\\*name' }] } },
    event: withDetail({ Name: 'file-name' }),
    expected: false,
  },
  {
    name: 'wildcard: "\\\\" is a literal backslash',
    pattern: { detail: { Path: [{ wildcard: 'C:\\\\*' }] } },
    event: withDetail({ Path: 'C:\\Windows' }),
    expected: true,
  },
  {
    name: 'wildcard: only string values match',
    pattern: { detail: { 'c-count': [{ wildcard: '*' }] } },
    event: contentEvent,
    expected: false,
  },
];

const anythingButRows: Row[] = [
  {
    name: 'anything-but string: "running" is not "initializing"',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'anything-but string: "initializing" is excluded',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'anything-but number: 301.8 is not 123',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'anything-but number: 123 is excluded (compared as a number)',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: withDetail({ 'x-limit': 123.0 }),
    expected: false,
  },
  {
    name: 'anything-but 0 matches another number',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 0 }] } },
    event: withDetail({ 'x-limit': 789 }),
    expected: true,
  },
  {
    name: 'anything-but list of strings: "stopped" is excluded',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: withDetail({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'anything-but list of strings: "running" matches',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'anything-but list of numbers: 200 is excluded',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: withDetail({ 'x-limit': 200 }),
    expected: false,
  },
  {
    name: 'anything-but list of numbers: 301.8 matches',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'anything-but all events except CloudTrail API calls',
    pattern: { 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'anything-but prefix: "initializing" starts with "init"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'anything-but prefix: "running" does not start with "init"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'anything-but prefix: only your own events ("aws." sources excluded)',
    pattern: { source: [{ 'anything-but': { prefix: 'aws.' } }] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'anything-but prefix matches a non-string value',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 12 }),
    expected: true,
  },
  {
    name: 'anything-but prefix list: region not in us- or eu-',
    pattern: { region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] },
    event: { ...ec2Event, region: 'ap-south-1' },
    expected: true,
  },
  {
    name: 'anything-but suffix: FileName ending with .png is excluded',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: withDetail({ FileName: 'image.png' }),
    expected: false,
  },
  {
    name: 'anything-but suffix: FileName ending with .txt matches',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: withDetail({ FileName: 'notes.txt' }),
    expected: true,
  },
  {
    name: 'anything-but equals-ignore-case: "INITIALIZING" is excluded',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: withDetail({ state: 'INITIALIZING' }),
    expected: false,
  },
  {
    name: 'anything-but equals-ignore-case: "running" matches',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'anything-but equals-ignore-case list: "OVERLOADED" is excluded',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['stopped', 'Overloaded'] } }] } },
    event: withDetail({ state: 'OVERLOADED' }),
    expected: false,
  },
  {
    name: 'anything-but wildcard: a path including /lib/ is excluded',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withDetail({ FilePath: '/usr/lib/libc.so' }),
    expected: false,
  },
  {
    name: 'anything-but wildcard: a path without /lib/ matches',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withDetail({ FilePath: '/usr/bin/env' }),
    expected: true,
  },
  {
    name: 'anything-but wildcard list: both expressions are excluded',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    event: withDetail({ FilePath: '/usr/bin/env' }),
    expected: false,
  },
  {
    name: 'anything-but does not match a missing field',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({}),
    expected: false,
  },
  {
    name: 'anything-but matches a null value',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({ state: null }),
    expected: true,
  },
  {
    name: 'anything-but on an event array: matches when some element is not excluded',
    pattern: { detail: { state: [{ 'anything-but': 'stopped' }] } },
    event: withDetail({ state: ['stopped', 'running'] }),
    expected: true,
  },
  {
    name: 'anything-but on an event array: no match when every element is excluded',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: withDetail({ state: ['stopped', 'overloaded'] }),
    expected: false,
  },
  {
    name: 'anything-but on an empty event array does not match',
    pattern: { detail: { state: [{ 'anything-but': 'stopped' }] } },
    event: withDetail({ state: [] }),
    expected: false,
  },
];

const numericRows: Row[] = [
  {
    name: 'numeric: the documented example (> 0 <= 5, < 10, = 3.018e2)',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'numeric: an open lower bound excludes it',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 5] }] } },
    event: contentEvent,
    expected: false,
  },
  {
    name: 'numeric: a closed lower bound includes it',
    pattern: { detail: { 'c-count': [{ numeric: ['>=', 5] }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'numeric: an open upper bound excludes it',
    pattern: { detail: { 'c-count': [{ numeric: ['>=', 0, '<', 5] }] } },
    event: contentEvent,
    expected: false,
  },
  {
    name: 'numeric: Price is more than 10 and at most 20',
    pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event: withDetail({ Price: 20 }),
    expected: true,
  },
  {
    name: 'numeric: = compares values, not text (100 and 1.0e2)',
    pattern: { detail: { Price: [{ numeric: ['=', 1.0e2] }] } },
    event: withDetail({ Price: 100 }),
    expected: true,
  },
  {
    name: 'numeric: six decimals are significant',
    pattern: { detail: { ratio: [{ numeric: ['>', 0.000001] }] } },
    event: withDetail({ ratio: 0.000002 }),
    expected: true,
  },
  {
    name: 'numeric: only JSON numbers match, not numeric strings',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0] }] } },
    event: withDetail({ 'c-count': '5' }),
    expected: false,
  },
  {
    name: 'numeric: null does not match',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0] }] } },
    event: withDetail({ 'c-count': null }),
    expected: false,
  },
  {
    name: 'numeric: event values beyond -5.0e9..+5.0e9 are outside numeric matching',
    pattern: { detail: { bytes: [{ numeric: ['>', 0] }] } },
    event: withDetail({ bytes: 6e9 }),
    expected: false,
  },
  {
    name: 'numeric: the bounds ±5.0e9 are included',
    pattern: { detail: { bytes: [{ numeric: ['>=', 5e9] }] } },
    event: withDetail({ bytes: 5e9 }),
    expected: true,
  },
  {
    name: 'numeric: six decimals stay exact near the limits',
    pattern: { detail: { bytes: [{ numeric: ['=', 4414480847.8471] }] } },
    event: withDetail({ bytes: 4414480847.8471 }),
    expected: true,
  },
  {
    name: 'numeric: event values with more than six decimals are outside numeric matching',
    pattern: { detail: { ratio: [{ numeric: ['>', 0] }] } },
    event: withDetail({ ratio: 0.0000001 }),
    expected: false,
  },
  {
    name: 'numeric: matches any element of an event array',
    pattern: { detail: { counts: [{ numeric: ['>', 10] }] } },
    event: withDetail({ counts: [1, 2, 30] }),
    expected: true,
  },
];

const existsRows: Row[] = [
  {
    name: 'exists true: detail.c-count is present',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'exists true: a missing field does not match',
    pattern: { detail: { description: [{ exists: true }] } },
    event: contentEvent,
    expected: false,
  },
  {
    name: 'exists false: an event without detail.c-count matches',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: { 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'running' } },
    expected: true,
  },
  {
    name: 'exists false: a present field does not match',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: contentEvent,
    expected: false,
  },
  {
    name: 'exists false: also matches when c-count is not a leaf node',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: 'running', 'c-count': { c1: 100 } }),
    expected: true,
  },
  {
    name: 'exists true: an intermediate node is not a leaf',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: withDetail({ 'c-count': { c1: 100 } }),
    expected: false,
  },
  {
    name: 'exists true: a null value is present',
    pattern: { detail: { responseElements: [{ exists: true }] } },
    event: autoscalingEvent,
    expected: true,
  },
  {
    name: 'exists true: an empty array holds no value',
    pattern: { resources: [{ exists: true }] },
    event: autoscalingEvent,
    expected: false,
  },
  {
    name: 'exists false: an empty array holds no value',
    pattern: { resources: [{ exists: false }] },
    event: autoscalingEvent,
    expected: true,
  },
  {
    name: 'exists true: present in one element of an array of objects',
    pattern: { detail: { automations: { id: [{ exists: true }] } } },
    event: withDetail({ automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] }),
    expected: true,
  },
  {
    name: 'exists false: absent under an element present in another element does not match',
    pattern: { detail: { automations: { id: [{ exists: false }] } } },
    event: withDetail({ automations: [{ key1: 'value1' }, { id: 'present' }] }),
    expected: false,
  },
  {
    name: 'exists false: judged inside the array element the other fields matched in',
    pattern: { detail: { employees: { firstName: ['Anna'], middleName: [{ exists: false }] } } },
    event: withDetail({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', middleName: 'J' },
      ],
    }),
    expected: true,
  },
  {
    name: 'exists false: fails when the matched array element has the field',
    pattern: { detail: { employees: { firstName: ['Peter'], middleName: [{ exists: false }] } } },
    event: withDetail({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', middleName: 'J' },
      ],
    }),
    expected: false,
  },
  {
    name: 'exists false as an alternative to anything-but (DynamoDB stream image)',
    pattern: {
      dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } },
    },
    event: withDetail({}, { dynamodb: { NewImage: { purchased: { N: '789' } } } }),
    expected: true,
  },
];

const cidrRows: Row[] = [
  {
    name: 'cidr: 10.0.0.33 is in 10.0.0.0/24',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: contentEvent,
    expected: true,
  },
  {
    name: 'cidr: 10.0.1.1 is not in 10.0.0.0/24',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: withDetail({ 'source-ip': '10.0.1.1' }),
    expected: false,
  },
  {
    name: 'cidr: the network bits of the pattern address are what count',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.99/24' }] } },
    event: withDetail({ 'source-ip': '10.0.0.1' }),
    expected: true,
  },
  {
    name: 'cidr: IPv6 address inside 2001:db8:1234:1a00::/64',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
    event: withDetail({ sourceIPAddress: '2001:db8:1234:1a00:9691:9503:25ad:1761' }),
    expected: true,
  },
  {
    name: 'cidr: IPv6 address outside the /64',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
    event: withDetail({ sourceIPAddress: '2001:db8:1234:1a01::1' }),
    expected: false,
  },
  {
    name: 'cidr: an IPv6 event address never falls in an IPv4 block',
    pattern: { detail: { sourceIPAddress: [{ cidr: '0.0.0.0/0' }] } },
    event: withDetail({ sourceIPAddress: '2001:db8::1' }),
    expected: false,
  },
  {
    name: 'cidr: a value that is not an IP address does not match',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } },
    event: withDetail({ sourceIPAddress: 'bad-ip' }),
    expected: false,
  },
  {
    name: 'cidr: the complex example (prefix, anything-but, numeric and cidr together)',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: contentEvent,
    expected: true,
  },
];

const orRows: Row[] = [
  {
    name: '$or: Location is "New York" or Day is "Monday"',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: withDetail({}, { Location: 'Boston', Day: 'Monday' }),
    expected: true,
  },
  {
    name: '$or: neither alternative matches',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: withDetail({}, { Location: 'Boston', Day: 'Sunday' }),
    expected: false,
  },
  {
    name: '$or: "source" AND ("metricName" OR "namespace")',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: withDetail({}, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }),
    expected: true,
  },
  {
    name: '$or: the ANDed field must still match',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: withDetail({}, { source: 'aws.ec2', namespace: 'AWS/ES' }),
    expected: false,
  },
  {
    name: '$or inside a nested object (parallel $or)',
    pattern: {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: withDetail({ 'detail-type': 'CloudWatch Alarm State Change' }, { namespace: 'AWS/EC2' }),
    expected: true,
  },
  {
    name: '$or with an AND inside an alternative, and a nested $or',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    event: withDetail(
      {},
      { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    ),
    expected: true,
  },
  {
    name: '$or: the nested $or must hold inside its alternative',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    },
    event: withDetail({}, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 999 }),
    expected: false,
  },
  {
    name: '$or (best practices): CloudTrail calls from SQS or KMS',
    pattern: {
      'detail-type': ['AWS API Call via CloudTrail'],
      $or: [
        { source: ['aws.sqs'], detail: { eventName: ['CreateQueue', 'SetQueueAttributes'] } },
        { source: ['aws.kms'], detail: { eventName: ['CreateKey', 'DisableKeyRotation'] } },
      ],
    },
    event: withDetail(
      { eventName: 'DisableKeyRotation' },
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.kms' },
    ),
    expected: true,
  },
  {
    name: '$or (best practices): an SQS call with a KMS event name does not match',
    pattern: {
      'detail-type': ['AWS API Call via CloudTrail'],
      $or: [
        { source: ['aws.sqs'], detail: { eventName: ['CreateQueue', 'SetQueueAttributes'] } },
        { source: ['aws.kms'], detail: { eventName: ['CreateKey', 'DisableKeyRotation'] } },
      ],
    },
    event: withDetail(
      { eventName: 'CreateKey' },
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sqs' },
    ),
    expected: false,
  },
  {
    name: '$or: alternatives mixing numeric and anything-but',
    pattern: {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { state: [{ 'anything-but': 'running' }] }] },
    },
    event: contentEvent,
    expected: false,
  },
  {
    name: '$or: an alternative using exists false',
    pattern: {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { approved: [{ exists: false }] }] },
    },
    event: contentEvent,
    expected: true,
  },
];

describe('compileEventPattern — matching', () => {
  const groups: [string, Row[]][] = [
    ['structure, exact values, null and arrays', structureRows],
    ['prefix, suffix and equals-ignore-case', prefixSuffixRows],
    ['wildcard', wildcardRows],
    ['anything-but', anythingButRows],
    ['numeric', numericRows],
    ['exists', existsRows],
    ['cidr', cidrRows],
    ['$or', orRows],
  ];
  for (const [group, rows] of groups) {
    describe(group, () => {
      it.each(rows)('$name', ({ pattern, event, expected }) => {
        // Prepare
        const matcher = compileEventPattern(pattern);

        // Act
        const result = matcher.matches(event);

        // Assess
        expect(result).toBe(expected);
      });
    });
  }
});

// ---------------------------------------------------------------------------
// Validation

interface InvalidRow {
  readonly name: string;
  readonly pattern: unknown;
  readonly reason: string;
  readonly path: string;
}

const invalidRows: InvalidRow[] = [
  { name: 'a JSON array', pattern: ['not', 'a', 'dict'], reason: 'Filter is not an object', path: '' },
  { name: 'null', pattern: null, reason: 'Filter is not an object', path: '' },
  {
    name: 'JSON text that does not parse',
    pattern: '{"not": closed',
    reason: 'Filter is not valid JSON',
    path: '',
  },
  { name: 'an empty pattern', pattern: {}, reason: 'Empty objects are not allowed', path: '' },
  {
    name: 'an empty nested object',
    pattern: { detail: {} },
    reason: 'Empty objects are not allowed',
    path: 'detail',
  },
  {
    name: 'a string leaf that is not in an array',
    pattern: { string: 'my-value' },
    reason: '"string" must be an object or an array',
    path: 'string',
  },
  { name: 'a number leaf', pattern: { int: 42 }, reason: '"int" must be an object or an array', path: 'int' },
  {
    name: 'a null leaf',
    pattern: { detail: { x: null } },
    reason: '"x" must be an object or an array',
    path: 'detail.x',
  },
  {
    name: 'an empty value array',
    pattern: { resources: [] },
    reason: 'Empty arrays are not allowed',
    path: 'resources',
  },
  {
    name: 'an array inside a value array',
    pattern: { source: [['aws.ec2']] },
    reason: 'Match value must be String, number, true, false, or null',
    path: 'source[0]',
  },
  {
    name: 'an operator in the wrong case (NUMERIC)',
    pattern: { detail: { equal: [{ NUMERIC: ['=', 5] }] } },
    reason: 'Unrecognized match type NUMERIC',
    path: 'detail.equal[0]',
  },
  {
    name: 'an unknown operator',
    pattern: { my_key: [{ contains: 'x' }] },
    reason: 'Unrecognized match type contains',
    path: 'my_key[0]',
  },
  {
    name: 'an empty match expression',
    pattern: { a: [{}] },
    reason: 'Match expression name not found',
    path: 'a[0]',
  },
  {
    name: 'two operators in one match expression',
    pattern: { a: [{ prefix: 'x', suffix: 'y' }] },
    reason: 'Only one key allowed in match expression',
    path: 'a[0]',
  },
  {
    name: 'prefix given a list',
    pattern: { time: [{ prefix: ['2022-07-13'] }] },
    reason: 'prefix match pattern must be a string',
    path: 'time[0].prefix',
  },
  {
    name: 'prefix with an unsupported nested operator',
    pattern: { time: [{ prefix: { wildcard: '2022*' } }] },
    reason: 'Unsupported prefix pattern: wildcard',
    path: 'time[0].prefix',
  },
  {
    name: 'prefix equals-ignore-case given a number',
    pattern: { time: [{ prefix: { 'equals-ignore-case': 2022 } }] },
    reason: 'equals-ignore-case match pattern must be a string',
    path: 'time[0].prefix.equals-ignore-case',
  },
  {
    name: 'suffix given a number',
    pattern: { FileName: [{ suffix: 123 }] },
    reason: 'suffix match pattern must be a string',
    path: 'FileName[0].suffix',
  },
  {
    name: 'equals-ignore-case given a list',
    pattern: { 'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }] },
    reason: 'equals-ignore-case match pattern must be a string',
    path: 'detail-type[0].equals-ignore-case',
  },
  {
    name: 'wildcard given a number',
    pattern: { EventBusArn: [{ wildcard: 123 }] },
    reason: 'wildcard match pattern must be a string',
    path: 'EventBusArn[0].wildcard',
  },
  {
    name: 'consecutive wildcard characters',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
    reason: 'Consecutive wildcard characters at pos 26',
    path: 'EventBusArn[0].wildcard',
  },
  {
    name: 'a backslash escaping something other than * or \\',
    pattern: { Path: [{ wildcard: 'C:\\Windows' }] },
    reason: 'Invalid escape character at pos 3',
    path: 'Path[0].wildcard',
  },
  {
    name: 'numeric not given an array',
    pattern: { a: [{ numeric: 5 }] },
    reason: 'Value of numeric must be an array.',
    path: 'a[0].numeric',
  },
  {
    name: 'numeric given an empty array',
    pattern: { a: [{ numeric: [] }] },
    reason: 'Invalid member in numeric match: ]',
    path: 'a[0].numeric[0]',
  },
  {
    name: 'numeric starting with a number',
    pattern: { a: [{ numeric: [5, '>'] }] },
    reason: 'Invalid member in numeric match: 5',
    path: 'a[0].numeric[0]',
  },
  {
    name: 'numeric with an unknown operator',
    pattern: { a: [{ numeric: ['!=', 5] }] },
    reason: 'Unrecognized numeric range operator: !=',
    path: 'a[0].numeric[0]',
  },
  {
    name: 'numeric with a non-numeric value',
    pattern: { a: [{ numeric: ['>', '5'] }] },
    reason: 'Value of > must be numeric',
    path: 'a[0].numeric[1]',
  },
  {
    name: 'numeric range missing its upper value',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<'] }] } },
    reason: 'Value of < must be numeric',
    path: 'detail.c-count[0].numeric[3]',
  },
  {
    name: 'numeric range with two lower bounds',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '>', 0] }] } },
    reason: 'Bad numeric range operator: >',
    path: 'detail.c-count[0].numeric[2]',
  },
  {
    name: 'numeric range starting with an upper bound',
    pattern: { a: [{ numeric: ['<', 10, '>', 0] }] },
    reason: 'Too many elements in numeric expression',
    path: 'a[0].numeric[2]',
  },
  {
    name: 'numeric = followed by more terms',
    pattern: { a: [{ numeric: ['=', 5, '<', 6] }] },
    reason: 'Too many elements in numeric expression',
    path: 'a[0].numeric[2]',
  },
  {
    name: 'numeric range with too many terms',
    pattern: { a: [{ numeric: ['>', 0, '<', 10, 11] }] },
    reason: 'Too many terms in numeric range expression',
    path: 'a[0].numeric[4]',
  },
  {
    name: 'numeric range whose bottom is not below its top',
    pattern: { a: [{ numeric: ['>=', 5, '<=', 5] }] },
    reason: 'Bottom must be less than top',
    path: 'a[0].numeric',
  },
  {
    name: 'numeric value beyond +5.0e9',
    pattern: { a: [{ numeric: ['<', 6e9] }] },
    reason: 'Value must be between -5.0e9 and 5.0e9, inclusive',
    path: 'a[0].numeric[1]',
  },
  {
    name: 'numeric value with more than six decimals',
    pattern: { a: [{ numeric: ['=', 0.1234567] }] },
    reason: 'Only values up to 6 decimals are supported',
    path: 'a[0].numeric[1]',
  },
  {
    name: 'anything-but null',
    pattern: { a: [{ 'anything-but': null }] },
    reason: 'Value of anything-but must be an array or single string/number value.',
    path: 'a[0].anything-but',
  },
  {
    name: 'anything-but list containing null',
    pattern: { a: [{ 'anything-but': ['x', null] }] },
    reason: 'Inside anything but list, start|null|boolean is not supported.',
    path: 'a[0].anything-but[1]',
  },
  {
    name: 'anything-but list mixing strings and numbers',
    pattern: { a: [{ 'anything-but': ['x', 1] }] },
    reason: 'Inside anything but list, either all values are number or string, mixed type is not supported',
    path: 'a[0].anything-but',
  },
  {
    name: 'anything-but number beyond the numeric limits',
    pattern: { a: [{ 'anything-but': [6e9] }] },
    reason: 'Value must be between -5.0e9 and 5.0e9, inclusive',
    path: 'a[0].anything-but[0]',
  },
  {
    name: 'anything-but with an unsupported nested operator',
    pattern: { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
    reason: 'Unsupported anything-but pattern: numeric',
    path: 'a[0].anything-but',
  },
  {
    name: 'anything-but with an empty nested object',
    pattern: { a: [{ 'anything-but': {} }] },
    reason: 'Anything-But expression name not found',
    path: 'a[0].anything-but',
  },
  {
    name: 'anything-but prefix with an empty prefix',
    pattern: { a: [{ 'anything-but': { prefix: '' } }] },
    reason: 'Null prefix/suffix not allowed',
    path: 'a[0].anything-but.prefix',
  },
  {
    name: 'anything-but prefix given a number',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 123 } }] } },
    reason: 'prefix/suffix match pattern must be a string',
    path: 'detail.state[0].anything-but.prefix',
  },
  {
    name: 'anything-but suffix list containing a number',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: [123, '.txt'] } }] } },
    reason: 'prefix/suffix match pattern must be a string',
    path: 'detail.FileName[0].anything-but.suffix[0]',
  },
  {
    name: 'anything-but prefix with equals-ignore-case',
    pattern: { detail: { FileName: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] } },
    reason: 'Value of anything-but must be an array or single string/number value.',
    path: 'detail.FileName[0].anything-but.prefix',
  },
  {
    name: 'anything-but equals-ignore-case given a number',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] } },
    reason: 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    path: 'detail.state[0].anything-but.equals-ignore-case',
  },
  {
    name: 'anything-but wildcard list containing a number',
    pattern: { detail: { state: [{ 'anything-but': { wildcard: [123, '*/dir/*'] } }] } },
    reason: 'wildcard match pattern must be a string',
    path: 'detail.state[0].anything-but.wildcard[0]',
  },
  {
    name: 'anything-but wildcard with consecutive wildcards',
    pattern: { a: [{ 'anything-but': { wildcard: 'a**' } }] },
    reason: 'Consecutive wildcard characters at pos 2',
    path: 'a[0].anything-but.wildcard',
  },
  {
    name: 'exists given a string',
    pattern: { a: [{ exists: 'true' }] },
    reason: 'exists match pattern must be either true or false.',
    path: 'a[0].exists',
  },
  {
    name: 'cidr given a list',
    pattern: { detail: { sourceIPAddress: [{ cidr: ['bad-type'] }] } },
    reason: 'cidr match pattern must be a string',
    path: 'detail.sourceIPAddress[0].cidr',
  },
  {
    name: 'cidr without a mask',
    pattern: { ip: [{ cidr: '10.0.0.0' }] },
    reason: "Malformed CIDR, one '/' required",
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with a non-integer mask',
    pattern: { ip: [{ cidr: '10.0.0.0/abc' }] },
    reason: 'Malformed CIDR, mask bits must be an integer',
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with a negative mask',
    pattern: { ip: [{ cidr: '10.0.0.0/-1' }] },
    reason: 'Malformed CIDR, mask bits must not be negative',
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with something that is not an IPv4 address',
    pattern: { ip: [{ cidr: 'xx.11.xx/24' }] },
    reason: 'Nonstandard IP address: xx.11.xx',
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with something that is not an IPv6 address',
    pattern: { ip: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] },
    reason: 'Nonstandard IP address: xxxx:db8:1234:1a00::',
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with an out-of-range octet',
    pattern: { ip: [{ cidr: '300.0.0.0/8' }] },
    reason: 'Invalid IP address: 300.0.0.0',
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with an IPv4 mask of 32 or more',
    pattern: { ip: [{ cidr: '10.0.0.1/32' }] },
    reason: 'IPv4 mask bits must be < 32',
    path: 'ip[0].cidr',
  },
  {
    name: 'cidr with an IPv6 mask of 128 or more',
    pattern: { ip: [{ cidr: '2001:db8::1/128' }] },
    reason: 'IPv6 mask bits must be < 128',
    path: 'ip[0].cidr',
  },
  {
    name: '$or that is not an array',
    pattern: { $or: { a: ['x'] } },
    reason: 'It must be an Array followed with $or.',
    path: '$or',
  },
  {
    name: '$or with a single alternative',
    pattern: { $or: [{ a: ['x'] }] },
    reason: 'There must have at least 2 Objects in $or relationship.',
    path: '$or',
  },
  {
    name: '$or with no alternative',
    pattern: { detail: { $or: [] } },
    reason: 'There must have at least 2 Objects in $or relationship.',
    path: 'detail.$or',
  },
  {
    name: '$or containing a non-object',
    pattern: { $or: [{ a: ['x'] }, ['b']] },
    reason: 'Only JSON object is allowed in array of $or relationship.',
    path: '$or[1]',
  },
  {
    name: '$or alternative that is empty',
    pattern: { $or: [{ a: ['x'] }, {}] },
    reason: 'Empty objects are not allowed',
    path: '$or[1]',
  },
  {
    name: '$or alternative using an operator name as a field',
    pattern: { $or: [{ numeric: [123] }, { prefix: ['abc'] }] },
    reason: 'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    path: '$or[0].numeric',
  },
];

describe('compileEventPattern — validation', () => {
  it.each(invalidRows)('rejects $name', ({ pattern, reason, path }) => {
    // Prepare
    const compile = () => compileEventPattern(pattern);

    // Act
    let thrown: unknown;
    try {
      compile();
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidEventPatternError);
    const error = thrown as InvalidEventPatternError;
    expect(error.reason.startsWith(reason)).toBe(true);
    expect(error.path).toBe(path);
    expect(error.message).toContain(`Event pattern is not valid. Reason: ${reason}`);
    if (path !== '') expect(error.message).toContain(`(at ${path})`);
  });

  it('is a named Error subclass', () => {
    // Prepare
    const pattern = { source: 'aws.ec2' };

    // Act
    const error = (() => {
      try {
        compileEventPattern(pattern);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as Error).name).toBe('InvalidEventPatternError');
    expect((error as Error).message).toBe(
      'Event pattern is not valid. Reason: "source" must be an object or an array (at source)',
    );
  });
});

// ---------------------------------------------------------------------------
// API

describe('compileEventPattern — API', () => {
  it('compiles once and matches many events', () => {
    // Prepare
    const matcher = compileEventPattern({
      source: ['aws.ec2'],
      detail: { state: ['terminated', 'stopped'] },
    });
    const events = ['terminated', 'running', 'stopped'].map((state) => ({ ...ec2Event, detail: { state } }));

    // Act
    const results = events.map((event) => matcher.matches(event));

    // Assess
    expect(results).toEqual([true, false, true]);
  });

  it('accepts the pattern as JSON text, as CloudFormation stores it', () => {
    // Prepare
    const text = '{"detail": {"responseElements": [null]}}';

    // Act
    const matcher = compileEventPattern(text);

    // Assess
    expect(matcher.pattern).toEqual({ detail: { responseElements: [null] } });
    expect(matcher.matches(autoscalingEvent)).toBe(true);
  });

  it('uses the last of two patterns given for the same field', () => {
    // Prepare
    const text = '{"source": ["aws.s3"], "source": ["aws.ec2"]}';

    // Act
    const result = matchesEventPattern(text, ec2Event);

    // Assess
    expect(result).toBe(true);
  });

  it('does not match something that is not a JSON object', () => {
    // Prepare
    const matcher = compileEventPattern({ detail: { x: [{ exists: false }] } });

    // Act
    const results = [null, 'text', 42, [ec2Event]].map((event) => matcher.matches(event));

    // Assess
    expect(results).toEqual([false, false, false, false]);
  });

  it('keeps typed patterns assignable to EventPattern', () => {
    // Prepare
    const pattern: EventPattern = {
      source: ['aws.guardduty'],
      detail: {
        severity: [{ numeric: ['>=', 7, '<', 9] }],
        type: [{ 'anything-but': { prefix: 'Recon:' } }],
      },
      $or: [{ region: ['eu-west-1'] }, { account: [{ exists: true }] }],
    };
    const event = withDetail(
      { severity: 8, type: 'UnauthorizedAccess:EC2/SSHBruteForce' },
      { source: 'aws.guardduty' },
    );

    // Act
    const result = matchesEventPattern(pattern, event);

    // Assess
    expect(result).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Properties

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const leafArb = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const keyArb = fc.string({ maxLength: 6 }).filter((key) => key !== '$or' && key !== '__proto__');
const { json: jsonArb } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(keyArb, tie('json'), { maxKeys: 4 }),
  ),
}));
const eventArb = fc.dictionary(keyArb, jsonArb, { minKeys: 1, maxKeys: 5 });

const isScalar = (value: Json): value is string | number | boolean | null =>
  value === null || typeof value !== 'object';

/** A pattern requiring exactly the leaf values found in `value` (undefined when it has none). */
function patternFrom(value: Json): unknown {
  if (isScalar(value)) return [value];
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isScalar)) return [...value];
    const [first] = value;
    return first !== undefined && !isScalar(first) && !Array.isArray(first) ? patternFrom(first) : undefined;
  }
  const entries = Object.entries(value)
    .map(([key, child]) => [key, patternFrom(child)] as const)
    .filter(([, child]) => child !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

describe('compileEventPattern — properties', () => {
  it('a pattern built from an event’s own leaf values matches that event', () => {
    fc.assert(
      fc.property(eventArb, (event) => {
        // Prepare
        const pattern = patternFrom(event);
        fc.pre(pattern !== undefined);

        // Act
        const result = matchesEventPattern(pattern, event);

        // Assess
        expect(result).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('anything-but [v] is the negation of [v] for a present scalar field', () => {
    const excludedArb = fc.oneof(
      fc.string(),
      fc.integer({ min: -5e9, max: 5e9 }),
      fc.integer({ min: -1e14, max: 1e14 }).map((n) => n / 1e6),
    );
    fc.assert(
      fc.property(
        excludedArb.chain((v) => fc.tuple(fc.constant(v), fc.oneof(fc.constant<Json>(v), leafArb))),
        ([v, w]) => {
          // Prepare
          const event = withDetail({ x: w });
          const exact = compileEventPattern({ detail: { x: [v] } });
          const anythingBut = compileEventPattern({ detail: { x: [{ 'anything-but': [v] }] } });

          // Act
          const [isV, isNotV] = [exact.matches(event), anythingBut.matches(event)];

          // Assess
          expect(isNotV).toBe(!isV);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('numeric ranges agree with plain comparisons inside the documented limits', () => {
    const inRange = fc.integer({ min: -5e9, max: 5e9 });
    fc.assert(
      fc.property(inRange, inRange, inRange, (a, b, n) => {
        // Prepare
        fc.pre(a < b);
        const matcher = compileEventPattern({ detail: { n: [{ numeric: ['>', a, '<=', b] }] } });

        // Act
        const result = matcher.matches(withDetail({ n }));

        // Assess
        expect(result).toBe(n > a && n <= b);
      }),
    );
  });

  it('prefix p matches every string that starts with p, and wildcard "p*" agrees', () => {
    const literal = fc.string().filter((s) => !s.includes('*') && !s.includes('\\'));
    fc.assert(
      fc.property(literal, fc.string(), fc.string(), (p, rest, other) => {
        // Prepare
        const prefix = compileEventPattern({ v: [{ prefix: p }] });
        const wildcard = compileEventPattern({ v: [{ wildcard: `${p}*` }] });

        // Act
        const results = [p + rest, other].map((v) => [prefix.matches({ v }), wildcard.matches({ v })]);

        // Assess
        expect(results[0]).toEqual([true, true]);
        expect(results[1]).toEqual([other.startsWith(p), other.startsWith(p)]);
      }),
    );
  });
});
