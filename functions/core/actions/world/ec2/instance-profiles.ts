import { z } from 'zod';
import { WorldApiError } from '../errors.ts';
import { assertModifiable } from './instance-attributes.ts';
import { findInstance, profileAssociationId, profileId } from './lookups.ts';
import { applyFilters, FiltersSchema, nextId, paginate, parse } from './shared.ts';
import type { Ec2World, Instance, Output, Params } from './world.ts';

/** Instance profile associations: describe, associate, disassociate. */

export function profileAssociation(instance: Instance, associationState: string): Output {
  const profile = instance.iamInstanceProfile;
  return {
    AssociationId: profileAssociationId(instance),
    InstanceId: instance.instanceId,
    IamInstanceProfile:
      profile === undefined ? {} : { Arn: profile.arn, Id: profileId(profile.arn, profile.id) },
    State: associationState,
  };
}

export function describeIamInstanceProfileAssociations(state: Ec2World, params: Params): Output {
  const input = parse(
    'DescribeIamInstanceProfileAssociations',
    z.object({
      AssociationIds: z.array(z.string()).optional(),
      Filters: FiltersSchema,
      MaxResults: z.number().int().min(5).max(1000).optional(),
      NextToken: z.string().optional(),
    }),
    params,
  );
  let selected = state.instances.filter((i) => i.iamInstanceProfile !== undefined);
  if (input.AssociationIds !== undefined && input.AssociationIds.length > 0) {
    selected = input.AssociationIds.map((id) => {
      const instance = selected.find((i) => profileAssociationId(i) === id);
      if (instance === undefined) {
        throw new WorldApiError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
      }
      return instance;
    });
  }
  const filtered = applyFilters(
    selected,
    input.Filters,
    (instance, name) => {
      switch (name) {
        case 'instance-id':
          return [instance.instanceId];
        case 'state':
          return ['associated'];
        default:
          return undefined;
      }
    },
    () => ({}),
  );
  const [page, next] = paginate(filtered, input.NextToken, input.MaxResults);
  return {
    IamInstanceProfileAssociations: page.map((instance) => profileAssociation(instance, 'associated')),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

export function associateIamInstanceProfile(state: Ec2World, params: Params): Output {
  const input = parse(
    'AssociateIamInstanceProfile',
    z.object({
      InstanceId: z.string(),
      IamInstanceProfile: z.object({ Arn: z.string().optional(), Name: z.string().optional() }),
    }),
    params,
  );
  const instance = findInstance(state, input.InstanceId);
  assertModifiable(instance);
  const { Arn: arn, Name: name } = input.IamInstanceProfile;
  if (arn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+$/.test(arn)) {
    throw new WorldApiError(
      'InvalidParameterValue',
      `Value (${arn}) for parameter iamInstanceProfile.arn is invalid.`,
    );
  }
  if (arn === undefined && name === undefined) {
    throw new WorldApiError('MissingParameter', 'The request must contain the parameter iamInstanceProfile');
  }
  if (instance.iamInstanceProfile !== undefined) {
    throw new WorldApiError(
      'IncorrectState',
      `There is an existing association for instance ${instance.instanceId}`,
    );
  }
  instance.iamInstanceProfile = {
    arn: arn ?? `arn:aws:iam::${state.accountId}:instance-profile/${name ?? ''}`,
    associationId: nextId(state, 'iip-assoc'),
  };
  return { IamInstanceProfileAssociation: profileAssociation(instance, 'associating') };
}

export function disassociateIamInstanceProfile(state: Ec2World, params: Params): Output {
  const input = parse('DisassociateIamInstanceProfile', z.object({ AssociationId: z.string() }), params);
  const instance = state.instances.find((i) => profileAssociationId(i) === input.AssociationId);
  if (instance === undefined) {
    throw new WorldApiError(
      'InvalidAssociationID.NotFound',
      `The association ID '${input.AssociationId}' does not exist`,
    );
  }
  const answer = profileAssociation(instance, 'disassociating');
  delete instance.iamInstanceProfile;
  return { IamInstanceProfileAssociation: answer };
}
