import {
  Aws,
  BootstraplessSynthesizer,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  Stack,
  type StackProps,
  Tags,
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
import { protectedTagGuardStatements } from './protected-tag-guard.ts';

/**
 * The external id Riposte's action functions send when they assume the member role:
 * `riposte.memberRoleExternalId` when set, otherwise generated from the Riposte stack's own id
 * (the UUID CloudFormation gives the stack at creation: unguessable, stable for the stack's life,
 * different for every deployment). The Riposte stack outputs it as `MemberRoleExternalId`; the
 * member stack's `ExternalId` parameter, which has no default, must be given that value.
 *
 * @example
 * new ActionFunctions(this, 'Actions', { ..., memberRoleExternalId: memberRoleExternalIdOf(config) });
 */
export function memberRoleExternalIdOf(config: RiposteConfig): string {
  return config.memberRoleExternalId ?? Fn.join('', ['riposte-', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
}

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
 * - `SecurityRegion`: the Region Riposte runs in (its action roles' names end with it);
 * - `ExternalId`: the external id the role requires, **no default**: the Riposte stack's
 *   `MemberRoleExternalId` output (generated from the stack's own id unless
 *   `riposte.memberRoleExternalId` sets it; 16 characters at least);
 * - `OrganizationId`: the organization (`o-…`) the calling roles must belong to.
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
 *   --parameters ParameterKey=SecurityAccountId,ParameterValue=111122223333 \
 *     ParameterKey=SecurityRegion,ParameterValue=eu-west-1 \
 *     ParameterKey=OrganizationId,ParameterValue=o-a1b2c3d4e5 \
 *     ParameterKey=ExternalId,ParameterValue="$(aws cloudformation describe-stacks --stack-name Riposte \
 *       --query "Stacks[0].Outputs[?OutputKey=='MemberRoleExternalId'].OutputValue" --output text)"
 * aws cloudformation create-stack-instances --stack-set-name riposte-member \
 *   --deployment-targets OrganizationalUnitIds=ou-abcd-12345678 --regions us-east-1
 * ```
 *
 * (`npx cdk deploy RiposteMember --parameters SecurityAccountId=…` deploys it to one account.)
 *
 * **Trust**: the security account's root principal with `aws:PrincipalArn` equal (`ArnEquals`,
 * no wildcard) to one of the three exact ARNs of Riposte's enrich, contain and release roles
 * (`Riposte-Action-{Enrich,Contain,Release}-<SecurityRegion>`, see `actionRoleName`), AND
 * `sts:ExternalId` equal to the parameter, AND `aws:PrincipalOrgID` equal to the organization.
 * Nothing else in the security account can assume it: any other role or user fails the ARN
 * condition, and a role recreated under one of those names still needs the external id. Sessions
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
  /** The `SecurityRegion` parameter: the Region of Riposte's action roles. */
  public readonly securityRegion: CfnParameter;
  /** The `ExternalId` parameter: required, the Riposte stack's `MemberRoleExternalId` output. */
  public readonly externalId: CfnParameter;
  /** The `OrganizationId` parameter: callers must belong to this organization. */
  public readonly organizationId: CfnParameter;
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
    // The member role carries the protected tag: no finding makes Riposte contain its own role.
    Tags.of(this).add(config.safety.protectedTag.key.trim(), config.safety.protectedTag.value.trim());

    this.securityAccountId = new CfnParameter(this, 'SecurityAccountId', {
      type: 'String',
      description:
        'The AWS account Riposte runs in: only its enrich, contain and release roles may assume this role.',
      allowedPattern: '^\\d{12}$',
      constraintDescription: 'must be a 12-digit AWS account id',
      ...(config.securityAccountId === undefined ? {} : { default: config.securityAccountId }),
    });
    this.securityRegion = new CfnParameter(this, 'SecurityRegion', {
      type: 'String',
      description:
        'The Region Riposte runs in: its action roles are named Riposte-Action-<Family>-<Region>, and only those exact roles are trusted.',
      allowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d$',
      constraintDescription: 'must be an AWS Region name such as eu-west-1',
    });
    this.externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      description:
        "The external id Riposte sends: the Riposte stack's MemberRoleExternalId output. Required, no default.",
      allowedPattern: '^[\\w+=,.@:/-]{16,1224}$',
      constraintDescription:
        'must be 16 to 1224 characters of [A-Za-z0-9+=,.@:/_-] (the MemberRoleExternalId output)',
      noEcho: true,
    });
    this.organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      description:
        'The AWS Organizations id (o-...) of the organization the security account belongs to: callers from outside it are refused.',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      constraintDescription: 'must be an organization id such as o-a1b2c3d4e5',
    });

    const security = this.securityAccountId.valueAsString;
    const region = this.securityRegion.valueAsString;
    // The exact ARNs of Riposte's enrich, contain and release roles: no pattern on the names.
    const trustedRoles = RESOURCE_FAMILIES.map(
      (family) => `arn:${partition}:iam::${security}:role/${actionRoleName(family, region)}`,
    );
    this.role = new iam.Role(this, 'Role', {
      roleName: config.memberRoleName,
      description:
        "Riposte member response: assumed by Riposte's enrich, contain and release functions in the security account",
      maxSessionDuration: RiposteMemberStack.MAX_SESSION_DURATION,
      assumedBy: new iam.AccountPrincipal(security).withConditions({
        ArnEquals: { 'aws:PrincipalArn': trustedRoles },
        StringEquals: {
          'sts:ExternalId': this.externalId.valueAsString,
          'aws:PrincipalOrgID': this.organizationId.valueAsString,
        },
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
    // The Denies are an inline policy of their own beside the role's default one: allows that grow
    // past CDK's size estimate would otherwise see them split off into a managed policy.
    const denies = [
      ...denyStatementsOf(RESOURCE_FAMILIES, {
        // This role is the one a compromised caller could widen and then use.
        protectedRoles: [`arn:${partition}:iam::${this.account}:role/${config.memberRoleName}`],
        protectedTagKey: config.safety.protectedTag.key,
      }),
      // Defence in depth behind the rails: no write to a principal or resource carrying the protected tag.
      ...protectedTagGuardStatements(RESOURCE_FAMILIES, config.safety.protectedTag),
    ];
    this.role.attachInlinePolicy(new iam.Policy(this, 'DenyPolicy', { statements: denies }));
    acknowledgeWildcardResources(this.role.node.findChild('DefaultPolicy'), wildcards.entries);

    new CfnOutput(this, 'RoleArn', {
      description: 'The role Riposte assumes in this account',
      value: this.role.roleArn,
    });
  }
}
