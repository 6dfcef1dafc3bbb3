import {
  Aws,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RiposteConfig } from '../functions/core/config/schema.ts';
import {
  actionRoleName,
  denyStatementsOf,
  RESOURCE_FAMILIES,
  scopedActionsOfFamilies,
} from './action-functions.ts';
import { acknowledgeWildcardResources, WildcardReasons } from './nag.ts';

/** Properties of {@link RiposteMemberStack}. */
export interface RiposteMemberStackProps extends StackProps {
  /**
   * The deployment configuration (`cdk.json` context `riposte`): the role's name
   * (`memberRoleName`), the protected tag (`safety.protectedTag`), and the defaults of the two
   * parameters (`securityAccountId`, `memberRoleExternalId`).
   */
  readonly config: RiposteConfig;
}

/**
 * What Riposte needs in each member account: ONE IAM role, named `memberRoleName` (default
 * `RiposteMemberResponse`), that Riposte's enrich, contain and release functions assume to act on
 * an incident's resources in that account.
 *
 * **One template for every member account, through a service-managed StackSet.** The stack is
 * environment-agnostic and takes the account-specific values as CloudFormation parameters rather
 * than synthesizing a template per account:
 *
 * - `SecurityAccountId`: the account Riposte runs in (default: `riposte.securityAccountId` when
 *   set in cdk.json, otherwise none and the value must be given);
 * - `ExternalId`: the external id the role requires, empty for none (default:
 *   `riposte.memberRoleExternalId`, or empty).
 *
 * It is synthesized with the {@link BootstraplessSynthesizer}: no assets, no `BootstrapVersion`
 * parameter or rule, so member accounts need no CDK bootstrap. Deploy it with a service-managed
 * StackSet (automatic deployment to the accounts of the targeted OUs, present and future), to ONE
 * Region per account (IAM role names are global to an account):
 *
 * ```sh
 * npx cdk synth RiposteMember   # writes cdk.out/RiposteMember.template.json
 * aws cloudformation create-stack-set --stack-set-name riposte-member --permission-model SERVICE_MANAGED \
 *   --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false --capabilities CAPABILITY_NAMED_IAM \
 *   --template-body file://cdk.out/RiposteMember.template.json \
 *   --parameters ParameterKey=SecurityAccountId,ParameterValue=111122223333
 * aws cloudformation create-stack-instances --stack-set-name riposte-member \
 *   --deployment-targets OrganizationalUnitIds=ou-abcd-12345678 --regions us-east-1
 * ```
 *
 * (`npx cdk deploy RiposteMember --parameters SecurityAccountId=…` deploys it to one account.)
 *
 * **Trust**: the security account's root principal with `aws:PrincipalArn` limited to Riposte's
 * enrich, contain and release roles (`Riposte-Action-{Enrich,Contain,Release}-<any Region>`, see
 * `actionRoleName`), and `sts:ExternalId` equal to the parameter when it is not empty. Sessions
 * last at most one hour (Riposte asks for 15 minutes).
 *
 * **Permissions**: exactly the AWS actions the enrich, contain and release families declare
 * (`iamActionsOfFamily`), scoped to this account as `lib/action-functions.ts` scopes them for the
 * security account (`scopedActionsOfFamilies`), with the same explicit Denies
 * (`denyStatementsOf`): no write to this role's own policies, no write of the protected tag.
 * Nothing else: no logs, no table, no key, no managed policy.
 *
 * @example
 * new RiposteMemberStack(app, 'RiposteMember', { config: parseConfig(app.node.tryGetContext('riposte')) });
 */
export class RiposteMemberStack extends Stack {
  /** The stack description used when `description` is not given. */
  public static readonly DESCRIPTION =
    "Riposte member account: the role Riposte's enrich, contain and release functions assume to respond here.";

  /** Longest session of the member role. */
  public static readonly MAX_SESSION_DURATION = Duration.hours(1);

  /** The `SecurityAccountId` parameter. */
  public readonly securityAccountId: CfnParameter;
  /** The `ExternalId` parameter (empty: none required). */
  public readonly externalId: CfnParameter;
  /** True when `ExternalId` is not empty. */
  public readonly hasExternalId: CfnCondition;
  /** The member role. */
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: RiposteMemberStackProps) {
    super(scope, id, {
      ...props,
      description: props.description ?? RiposteMemberStack.DESCRIPTION,
      synthesizer: props.synthesizer ?? new BootstraplessSynthesizer(),
    });
    const { config } = props;
    const partition = Aws.PARTITION;

    this.securityAccountId = new CfnParameter(this, 'SecurityAccountId', {
      type: 'String',
      description:
        'The AWS account Riposte runs in: only its enrich, contain and release roles may assume this role.',
      allowedPattern: '^\\d{12}$',
      constraintDescription: 'must be a 12-digit AWS account id',
      ...(config.securityAccountId === undefined ? {} : { default: config.securityAccountId }),
    });
    this.externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      description:
        'The external id Riposte sends (riposte.memberRoleExternalId); the role then requires it. Empty: none.',
      allowedPattern: '^$|^[\\w+=,.@:/-]{2,1224}$',
      constraintDescription: 'must be empty, or 2 to 1224 characters of [A-Za-z0-9+=,.@:/_-]',
      default: config.memberRoleExternalId ?? '',
    });
    this.hasExternalId = new CfnCondition(this, 'HasExternalId', {
      expression: Fn.conditionNot(Fn.conditionEquals(this.externalId.valueAsString, '')),
    });

    const security = this.securityAccountId.valueAsString;
    const trustedRoles = RESOURCE_FAMILIES.map(
      (family) => `arn:${partition}:iam::${security}:role/${actionRoleName(family, '*')}`,
    );
    this.role = new iam.Role(this, 'Role', {
      roleName: config.memberRoleName,
      description:
        "Riposte member response: assumed by Riposte's enrich, contain and release functions in the security account",
      maxSessionDuration: RiposteMemberStack.MAX_SESSION_DURATION,
      assumedBy: new iam.AccountPrincipal(security).withConditions({
        ArnLike: { 'aws:PrincipalArn': trustedRoles },
        // Without an external id, the whole StringEquals block is left out.
        StringEquals: Fn.conditionIf(
          this.hasExternalId.logicalId,
          { 'sts:ExternalId': this.externalId.valueAsString },
          Aws.NO_VALUE,
        ),
      }),
    });

    const wildcards = new WildcardReasons();
    for (const statement of scopedActionsOfFamilies(RESOURCE_FAMILIES, this.account)) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: statement.actions,
          resources: [...statement.resources],
          ...(statement.conditions === undefined ? {} : { conditions: statement.conditions }),
        }),
      );
      wildcards.add(statement.resources, statement.why);
    }
    for (const statement of denyStatementsOf(RESOURCE_FAMILIES, {
      // This role is the one a compromised caller could widen and then use.
      protectedRoles: [`arn:${partition}:iam::${this.account}:role/${config.memberRoleName}`],
      protectedTagKey: config.safety.protectedTag.key,
    })) {
      this.role.addToPrincipalPolicy(statement);
    }
    acknowledgeWildcardResources(this.role.node.findChild('DefaultPolicy'), wildcards.entries);

    new CfnOutput(this, 'RoleArn', {
      description: 'The role Riposte assumes in this account',
      value: this.role.roleArn,
    });
  }
}
