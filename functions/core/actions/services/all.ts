import type { ServiceFactories } from '../clients.ts';
import { autoScalingService } from './auto-scaling.ts';
import { cloudTrailService } from './cloudtrail.ts';
import { ec2Service } from './ec2.ts';
import { elbv2Service } from './elbv2.ts';
import { iamService } from './iam.ts';
import { kmsService } from './kms.ts';
import { lambdaService } from './lambda.ts';
import { rdsService } from './rds.ts';
import { s3Service } from './s3.ts';

/**
 * Every service an action may use, for code that builds clients outside an action function
 * (tests, tools). An action function builds only the services its actions declare.
 *
 * @example
 * const clients = createClients({ mode: { kind: 'dry-run' }, recorder, region: 'eu-west-1', services: ALL_SERVICES });
 */
export const ALL_SERVICES: Required<ServiceFactories> = {
  ...ec2Service,
  ...iamService,
  ...autoScalingService,
  ...elbv2Service,
  ...s3Service,
  ...kmsService,
  ...cloudTrailService,
  ...lambdaService,
  ...rdsService,
};
