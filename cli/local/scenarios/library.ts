import {
  databaseLoginFinding,
  instanceCredentialExfiltration,
  lambdaMiningFinding,
  rootConsoleSignIn,
} from '../library-events.ts';
import type { Scenario } from './index.ts';

/**
 * The response library at work: incidents the newer playbooks answer, one step each: a Lambda
 * function mining cryptocurrency, an instance's role credentials used outside AWS, an anomalous
 * login to a database, and the root user signing in.
 */
export const libraryScenario: Scenario = {
  name: 'library',
  summary:
    'a Lambda function mining, instance credentials used outside AWS, a database login, a root sign-in (npm start -- --scenario library)',
  steps: ({ now }) => [
    {
      title: 'GuardDuty: Lambda function payments-webhook talks to a Bitcoin mining pool',
      events: () => [{ input: 'lambda', body: JSON.stringify(lambdaMiningFinding(now)) }],
    },
    {
      title: 'GuardDuty: the role credentials of instance i-0a1b2c3d4e5f60718 are used outside AWS',
      events: () => [{ input: 'exfiltration', body: JSON.stringify(instanceCredentialExfiltration(now)) }],
    },
    {
      title: 'GuardDuty: an anomalous successful login to database reports-db',
      events: () => [{ input: 'database', body: JSON.stringify(databaseLoginFinding(now)) }],
    },
    {
      title: 'CloudTrail: the root user signs in to the console',
      events: () => [{ input: 'root', body: JSON.stringify(rootConsoleSignIn(now)) }],
    },
  ],
};
